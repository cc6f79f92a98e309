'use client';
import { useId, type ReactNode } from 'react';
import { Alert, AlertDescription } from './alert';
import { CopyButton } from './copy-button';
import { Input } from './input';
import { Label } from './label';

/**
 * A secret the server shows this once (an invitation link, a token): read-only, selectable, with
 * a copy button and a warning that it will not be shown again.
 */
export function OneTimeSecret({
  label,
  value,
  copyLabel,
  warning,
  testId,
}: {
  label: string;
  value: string;
  copyLabel: string;
  warning: ReactNode;
  testId?: string;
}) {
  const id = useId();
  return (
    <Alert variant="warning" className="flex flex-col gap-2">
      <AlertDescription className="flex flex-col gap-2">
        <Label htmlFor={id}>{label}</Label>
        <div className="flex gap-2">
          <Input
            id={id}
            readOnly
            value={value}
            data-testid={testId}
            className="font-mono text-xs"
            onFocus={(event) => event.currentTarget.select()}
          />
          <CopyButton text={value} label={copyLabel} />
        </div>
        <p className="text-xs">{warning}</p>
      </AlertDescription>
    </Alert>
  );
}
