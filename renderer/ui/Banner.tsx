import type { ReactNode } from 'react';

export interface BannerProps {
  tone: 'info' | 'warning' | 'error' | 'success';
  title?: ReactNode;
  children?: ReactNode;
  /** Errors interrupt screen readers; the rest wait politely. */
  live?: boolean;
  className?: string;
}

export function Banner({ tone, title, children, live = true, className }: BannerProps) {
  const role = live ? (tone === 'error' ? 'alert' : 'status') : undefined;
  return (
    <div
      className={['bl-banner', `bl-banner--${tone}`, className ?? ''].filter(Boolean).join(' ')}
      role={role}
    >
      {title && <strong className="bl-banner__title">{title}</strong>}
      {children && <span className="bl-banner__body">{children}</span>}
    </div>
  );
}
