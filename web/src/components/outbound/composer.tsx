'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { XIcon } from 'lucide-react';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { api } from '@/lib/api-client';
import type { EvidenceRef, OutboundMessage } from '@/lib/api-types';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input, NativeSelect, Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { EvidenceRefList } from '@/components/evidence-ref-list';
import { MutationError } from '@/components/states';

export interface ComposerSeed {
  conversationGlobalId: string;
  messageGlobalId?: string;
  chunkId?: string;
  snippet?: string;
}

export function evidenceFromSeed(seed: ComposerSeed): EvidenceRef[] {
  const meta = {
    conversation_global_id: seed.conversationGlobalId,
    message_global_id: seed.messageGlobalId,
  };
  if (seed.chunkId)
    return [{ source: 'rag_chunks', ref: seed.chunkId, snippet: seed.snippet, meta }];
  if (seed.messageGlobalId)
    return [{ source: 'cw_messages', ref: seed.messageGlobalId, snippet: seed.snippet, meta }];
  return [{ source: 'cw_conversations', ref: seed.conversationGlobalId, meta }];
}

export function Composer({
  projectId,
  seed,
  onCreated,
  onClose,
}: {
  projectId: string;
  seed: ComposerSeed;
  onCreated: (message: OutboundMessage) => void;
  onClose: () => void;
}) {
  const t = useTranslations('composer');
  const queryClient = useQueryClient();
  const [channel, setChannel] = useState<'chatwoot' | 'email'>('chatwoot');
  const [recipient, setRecipient] = useState(seed.conversationGlobalId);
  const [subject, setSubject] = useState('');
  const [content, setContent] = useState('');
  const [evidence, setEvidence] = useState<EvidenceRef[]>(() => evidenceFromSeed(seed));
  // One key per composed draft: a double click or a retried request yields the same single row.
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  const draft = useMutation({
    mutationFn: () =>
      api.outbound.draft({
        channel,
        recipient_ref: recipient.trim(),
        payload: { content, subject: channel === 'email' && subject ? subject : undefined },
        idempotency_key: idempotencyKey,
        evidence_refs: evidence.map(({ source, ref, snippet, meta }) => ({
          source,
          ref,
          ...(snippet ? { snippet: snippet.slice(0, 500) } : {}),
          // JSON drops undefined values, so only the ids we know travel with the ref.
          ...(meta ? { meta: JSON.parse(JSON.stringify(meta)) as Record<string, unknown> } : {}),
        })),
      }),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: ['outbound', projectId] });
      onCreated(result.message);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (content.trim()) draft.mutate();
  }

  return (
    <Card data-testid="composer">
      <CardHeader>
        <div className="flex items-start justify-between gap-2">
          <div>
            <CardTitle>{t('title')}</CardTitle>
            <CardDescription>{t('description')}</CardDescription>
          </div>
          <Button variant="ghost" size="icon" onClick={onClose} aria-label={t('close')}>
            <XIcon aria-hidden />
          </Button>
        </div>
      </CardHeader>
      <CardContent>
        <form className="flex flex-col gap-4" onSubmit={submit} aria-label={t('form')}>
          <div className="grid gap-3 sm:grid-cols-[10rem_1fr]">
            <div className="flex flex-col gap-1">
              <Label htmlFor="compose-channel">{t('channel')}</Label>
              <NativeSelect
                id="compose-channel"
                value={channel}
                onChange={(e) => setChannel(e.target.value as 'chatwoot' | 'email')}
              >
                <option value="chatwoot">{t('channelChatwoot')}</option>
                <option value="email">{t('channelEmail')}</option>
              </NativeSelect>
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor="compose-recipient">
                {channel === 'chatwoot' ? t('conversationId') : t('contactId')}
              </Label>
              <Input
                id="compose-recipient"
                required
                value={recipient}
                onChange={(e) => setRecipient(e.target.value)}
                className="font-mono text-xs"
              />
            </div>
          </div>
          {channel === 'email' ? (
            <div className="flex flex-col gap-1">
              <Label htmlFor="compose-subject">{t('subject')}</Label>
              <Input
                id="compose-subject"
                value={subject}
                onChange={(e) => setSubject(e.target.value)}
              />
            </div>
          ) : null}
          <div className="flex flex-col gap-1">
            <Label htmlFor="compose-content">{t('message')}</Label>
            <Textarea
              id="compose-content"
              required
              rows={6}
              maxLength={10_000}
              value={content}
              onChange={(e) => setContent(e.target.value)}
              placeholder={t('placeholder')}
            />
          </div>
          <section aria-labelledby="compose-evidence" className="rounded-md border bg-muted/40 p-3">
            <div className="mb-2 flex items-center justify-between">
              <h3 id="compose-evidence" className="text-sm font-medium">
                {t('evidence')}
              </h3>
              {evidence.length > 0 ? (
                <Button size="sm" variant="ghost" onClick={() => setEvidence([])}>
                  {t('removeEvidence')}
                </Button>
              ) : null}
            </div>
            <EvidenceRefList refs={evidence} />
          </section>
          <MutationError error={draft.error} />
          <div className="flex gap-2">
            <Button type="submit" disabled={draft.isPending || !content.trim()}>
              {draft.isPending ? t('saving') : t('save')}
            </Button>
            <Button variant="outline" onClick={onClose}>
              {t('discard')}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
