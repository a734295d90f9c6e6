import { useId, useState, type ReactNode } from 'react';
import { Button } from '../../ui';

export interface ChartFrameProps {
  title: string;
  /** What the chart shows, in one sentence for screen readers and the caption. */
  description: string;
  chart: ReactNode;
  table: ReactNode;
  actions?: ReactNode;
}

/**
 * A chart with its table view (SPEC §7.5): the chart is a picture for the eye, hidden from screen
 * readers; the same numbers as a table are one click away, and always there for assistive technology.
 */
export function ChartFrame({ title, description, chart, table, actions }: ChartFrameProps) {
  const [asTable, setAsTable] = useState(false);
  const headingId = useId();
  return (
    <section className="bl-chart" aria-labelledby={headingId}>
      <header className="bl-chart__header">
        <h3 id={headingId}>{title}</h3>
        <div className="bl-toolbar">
          {actions}
          <Button size="small" variant="ghost" aria-pressed={asTable} onClick={() => setAsTable(!asTable)}>
            {asTable ? 'Show chart' : 'Show table'}
          </Button>
        </div>
      </header>
      <p className="bl-muted bl-chart__description">{description}</p>
      {asTable ? (
        // Scrolls when long: focusable, so keyboard users can scroll it too.
        <div className="bl-chart__table" role="region" aria-label={`${title}, table`} tabIndex={0}>
          {table}
        </div>
      ) : (
        <>
          <div className="bl-chart__plot" aria-hidden="true">
            {chart}
          </div>
          <div className="bl-visually-hidden">{table}</div>
        </>
      )}
    </section>
  );
}
