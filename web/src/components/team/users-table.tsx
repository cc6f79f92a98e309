'use client';
import { useTranslations } from 'next-intl';
import type { User } from '@/lib/api-types';
import { useFormat } from '@/lib/format';
import type { useUsers } from '@/lib/users';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from '@/components/ui/table';

/** Every user with role and state; an owner can change the role, deactivate, or reset. */
export function UsersTable({
  users,
  actions,
  selfId,
}: {
  users: User[];
  actions: ReturnType<typeof useUsers>;
  selfId: string | null;
}) {
  const t = useTranslations('team');
  const tCommon = useTranslations('common');
  const format = useFormat();
  const busy = actions.update.isPending || actions.reset.isPending;
  return (
    <Table aria-label={t('users.table')}>
      <TableHeader>
        <TableRow>
          <TableHead>{t('users.name')}</TableHead>
          <TableHead>{t('users.role')}</TableHead>
          <TableHead className="hidden md:table-cell">{t('users.state')}</TableHead>
          <TableHead className="hidden md:table-cell">{t('users.lastSeen')}</TableHead>
          <TableHead>
            <span className="sr-only">{tCommon('actions')}</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {users.map((user) => (
          <TableRow key={user.id} data-testid="user-row">
            <TableCell className="font-medium">
              <span className="break-all">{user.username}</span>
              {user.email ? (
                <span className="block text-xs text-muted-foreground">{user.email}</span>
              ) : null}
            </TableCell>
            <TableCell>
              <Badge variant={user.role === 'owner' ? 'info' : 'outline'}>
                {t(`roles.${user.role}`)}
              </Badge>
            </TableCell>
            <TableCell className="hidden md:table-cell">
              {!user.active ? (
                <Badge variant="destructive">{t('users.deactivated')}</Badge>
              ) : user.pending_link ? (
                <Badge variant="warning">{t(`users.pending.${user.pending_link.purpose}`)}</Badge>
              ) : (
                <Badge variant="success">{t('users.active')}</Badge>
              )}
            </TableCell>
            <TableCell className="hidden text-muted-foreground md:table-cell">
              {user.last_seen_at ? format.dateTime(user.last_seen_at) : t('users.never')}
            </TableCell>
            <TableCell>
              {user.id === selfId ? null : (
                <div className="flex flex-wrap justify-end gap-2">
                  {user.active ? (
                    <>
                      <Button
                        size="sm"
                        variant="ghost"
                        disabled={busy}
                        aria-label={t(
                          user.role === 'owner' ? 'users.makeMemberLabel' : 'users.makeOwnerLabel',
                          { username: user.username },
                        )}
                        onClick={() =>
                          actions.update.mutate({
                            id: user.id,
                            role: user.role === 'owner' ? 'member' : 'owner',
                          })
                        }
                      >
                        {user.role === 'owner' ? t('users.makeMember') : t('users.makeOwner')}
                      </Button>
                      <Button
                        size="sm"
                        variant="outline"
                        disabled={busy}
                        aria-label={t('users.resetLabel', { username: user.username })}
                        onClick={() => actions.reset.mutate(user.id)}
                      >
                        {t('users.reset')}
                      </Button>
                    </>
                  ) : null}
                  <Button
                    size="sm"
                    variant={user.active ? 'destructive' : 'outline'}
                    disabled={busy}
                    aria-label={t(user.active ? 'users.deactivateLabel' : 'users.reactivateLabel', {
                      username: user.username,
                    })}
                    onClick={() => actions.update.mutate({ id: user.id, active: !user.active })}
                  >
                    {user.active ? t('users.deactivate') : t('users.reactivate')}
                  </Button>
                </div>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
