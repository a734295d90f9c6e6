import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import type { Rule, RulePatch } from '../../shared/rules';
import { downloadText } from '../app/download';
import { displayNumber } from '../app/format';
import { useNow } from '../app/hooks';
import { useWriteAccess } from '../app/permissions';
import { useBlocklist, useStores } from '../app/stores';
import { queryRulesTyping, type RuleSort } from '../stores/rule-query';
import { Banner, Button, Dialog, Select, TextField } from '../ui';
import { AddRuleDialog } from './AddRuleDialog';
import { BulkAddDialog } from './BulkAddDialog';
import { errorText } from './errors';
import { ImportCsvDialog } from './ImportCsvDialog';
import { RuleList } from './RuleList';
import { TestNumberDialog } from './TestNumberDialog';
import { scopeOptions } from './ScopeAndExpiry';

type OpenDialog = 'add' | 'bulk' | 'import' | 'test' | null;

/** Settings → Blocked numbers (SPEC §7.1). */
export function BlockedNumbers() {
  const { blocklist } = useStores();
  const data = useBlocklist((state) => state.data);
  const index = useBlocklist((state) => state.index);
  const query = useBlocklist((state) => state.query);
  const access = useWriteAccess();
  const now = useNow(30_000);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [deleting, setDeleting] = useState<Rule | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const country = data?.settings.defaultCountry ?? 'US';
  const lines = useMemo(() => data?.lines ?? [], [data?.lines]);

  // Typing stays responsive: the list catches up with the deferred query.
  const deferredQuery = useDeferredValue(query);
  // Typing on narrows the previous result instead of scanning the whole list again.
  const rows = useMemo(
    () => queryRulesTyping(index, deferredQuery, country),
    [index, deferredQuery, country],
  );
  const total = index.rules.length;

  const exportCsv = async () => {
    setExportError(null);
    const result = await blocklist.getState().exportCsv();
    if (result.ok) downloadText(`blockline-rules-${new Date().toISOString().slice(0, 10)}.csv`, result.value);
    else setExportError(errorText(result));
  };

  const confirmDelete = async () => {
    if (!deleting) return;
    const result = await blocklist.getState().deleteRule(deleting.id);
    if (result.ok) {
      setDeleting(null);
      setDeleteError(null);
    } else setDeleteError(errorText(result));
  };

  const readOnly = access.reason;
  const askDelete = useCallback((rule: Rule) => {
    setDeleteError(null);
    setDeleting(rule);
  }, []);
  const saveRule = useCallback(
    (id: string, patch: RulePatch) => blocklist.getState().updateRule(id, patch),
    [blocklist],
  );
  return (
    <section className="bl-panel bl-blocked" aria-labelledby="blocked-heading">
      <header className="bl-panel__header">
        <h2 id="blocked-heading">Blocked numbers</h2>
        <div className="bl-toolbar" role="toolbar" aria-label="Blocked number actions">
          <Button variant="primary" onClick={() => setDialog('add')} disabled={!access.allowed}>
            Add a number
          </Button>
          <Button onClick={() => setDialog('bulk')} disabled={!access.allowed}>
            Add many
          </Button>
          <Button onClick={() => setDialog('import')} disabled={!access.allowed}>
            Import CSV
          </Button>
          <Button onClick={() => void exportCsv()}>Export CSV</Button>
          <Button onClick={() => setDialog('test')} disabled={!access.manager}>
            Test a number
          </Button>
        </div>
      </header>
      {readOnly && (
        <Banner
          tone={access.manager ? 'warning' : 'info'}
          title={access.manager ? 'Changes are paused' : 'View only'}
        >
          {readOnly}
        </Banner>
      )}
      {exportError && <Banner tone="error">Export failed: {exportError}</Banner>}
      <div className="bl-filters">
        <TextField
          label="Search number or reason"
          type="search"
          value={query.search}
          placeholder="e.g. (212) 555-1234 or spam"
          onChange={(event) => blocklist.getState().setQuery({ search: event.target.value })}
          className="bl-filters__search"
        />
        <Select
          label="Sort by"
          value={query.sort}
          options={[
            { value: 'created', label: 'Date added' },
            { value: 'number', label: 'Number' },
            { value: 'hits', label: 'Hits' },
          ]}
          onChange={(value) => blocklist.getState().setQuery({ sort: isSort(value) ? value : 'created' })}
        />
        <Select
          label="Order"
          value={query.order}
          options={[
            { value: 'desc', label: 'Descending' },
            { value: 'asc', label: 'Ascending' },
          ]}
          onChange={(value) => blocklist.getState().setQuery({ order: value === 'asc' ? 'asc' : 'desc' })}
        />
        <Select
          label="Scope"
          value={query.scope}
          options={[{ value: 'any', label: 'Every scope' }, ...scopeOptions(lines, country)]}
          onChange={(value) => blocklist.getState().setQuery({ scope: value })}
        />
        <Select
          label="Kind"
          value={query.kind}
          options={[
            { value: 'any', label: 'Blocks and exceptions' },
            { value: 'block', label: 'Blocks' },
            { value: 'allow', label: 'Exceptions' },
          ]}
          onChange={(value) =>
            blocklist.getState().setQuery({ kind: value === 'block' || value === 'allow' ? value : 'any' })
          }
        />
      </div>
      <p
        className="bl-muted bl-count"
        aria-live="polite"
        data-testid="rule-count"
        data-query={deferredQuery.search}
      >
        {rows.length === total
          ? `${total.toLocaleString('en-US')} rules`
          : `${rows.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rules`}
      </p>
      {data === null ? (
        <p className="bl-muted">Loading the list…</p>
      ) : (
        <RuleList
          rules={rows}
          lines={lines}
          country={country}
          nowMs={now}
          readOnlyReason={readOnly}
          onSave={saveRule}
          onDelete={askDelete}
        />
      )}

      <AddRuleDialog
        open={dialog === 'add'}
        onClose={() => setDialog(null)}
        country={country}
        lines={lines}
        disabledReason={readOnly}
        onCreate={(input) => blocklist.getState().createRule(input)}
      />
      <BulkAddDialog
        open={dialog === 'bulk'}
        onClose={() => setDialog(null)}
        country={country}
        lines={lines}
        existing={index.rules}
        disabledReason={readOnly}
        onSend={(entries) => blocklist.getState().bulkCreate(entries, 'bulk')}
      />
      <ImportCsvDialog
        open={dialog === 'import'}
        onClose={() => setDialog(null)}
        country={country}
        lines={lines}
        existing={index.rules}
        disabledReason={readOnly}
        onSend={(entries) => blocklist.getState().bulkCreate(entries, 'import')}
      />
      <TestNumberDialog
        open={dialog === 'test'}
        onClose={() => setDialog(null)}
        country={country}
        lines={lines}
        onTest={(number, line) => blocklist.getState().testNumber(number, line)}
      />
      <Dialog
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        title="Delete this rule?"
        initialFocus="[data-autofocus]"
        footer={
          <>
            <Button onClick={() => setDeleting(null)} data-autofocus>
              Keep it
            </Button>
            <Button variant="danger" onClick={() => void confirmDelete()} disabled={!access.allowed}>
              Delete
            </Button>
          </>
        }
      >
        {deleting && (
          <p>
            {deleting.kind === 'block' ? 'Unblock' : 'Remove the exception for'}{' '}
            <strong>{displayNumber(deleting.number, country)}</strong> on every agent’s app? Reason was: “
            {deleting.reason}”.
          </p>
        )}
        {deleteError && (
          <p className="bl-field__error" role="alert">
            {deleteError}
          </p>
        )}
      </Dialog>
    </section>
  );
}

function isSort(value: string): value is RuleSort {
  return value === 'created' || value === 'number' || value === 'hits';
}
