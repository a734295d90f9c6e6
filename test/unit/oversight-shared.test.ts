import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { auditToCsv } from '../../shared/audit-csv';
import { auditChanges, auditSummary, describeAction } from '../../shared/audit-diff';
import type { AuditListEntry, InsightResponse } from '../../shared/contracts/oversight';
import {
  addDays,
  daysBetween,
  localDateOf,
  localHourKey,
  startOfLocalDay,
  weekdayOf,
} from '../../shared/local-time';
import { monthsAndEdges } from '../../server/stats-service';
import { coveringRuleNumbers } from '../../server/insight-service';
import { describeInsight } from '../../renderer/calls/insight-words';

const entry = (overrides: Partial<AuditListEntry>): AuditListEntry => ({
  id: 'a1',
  at: '2030-01-01T00:00:00.000Z',
  actor: { id: 'u1', name: 'Lee' },
  action: 'rule.updated',
  target: 'r1',
  number: '+12125550100',
  before: null,
  after: null,
  ...overrides,
});

describe('local time in the org time zone', () => {
  it('files instants under local hours and days, across midnight and DST', () => {
    expect(localHourKey(Date.parse('2030-01-08T03:30:00Z'), 'America/New_York')).toBe('2030-01-07T22');
    expect(localHourKey(Date.parse('2030-01-08T03:30:00Z'), 'Asia/Kolkata')).toBe('2030-01-08T09');
    expect(localDateOf(Date.parse('2030-01-08T03:30:00Z'), 'UTC')).toBe('2030-01-08');
    // New York springs forward on 2030-03-10: that day starts at 05:00 UTC, the next at 04:00 UTC.
    expect(new Date(startOfLocalDay('2030-03-10', 'America/New_York')).toISOString()).toBe(
      '2030-03-10T05:00:00.000Z',
    );
    expect(new Date(startOfLocalDay('2030-03-11', 'America/New_York')).toISOString()).toBe(
      '2030-03-11T04:00:00.000Z',
    );
    expect(addDays('2030-02-28', 1)).toBe('2030-03-01');
    expect(daysBetween('2029-12-31', '2030-01-02')).toBe(2);
    expect(weekdayOf('2030-01-07')).toBe(0);
    expect(weekdayOf('2030-01-13')).toBe(6);
  });

  it('splits a range into whole months and edge days', () => {
    expect(monthsAndEdges('2029-11-15', '2030-01-05')).toEqual({
      months: ['2029-12', '2029-12'],
      edges: [
        ['2029-11-15', '2029-11-30'],
        ['2030-01-01', '2030-01-05'],
      ],
    });
    expect(monthsAndEdges('2030-01-01', '2030-12-31')).toEqual({ months: ['2030-01', '2030-12'], edges: [] });
    expect(monthsAndEdges('2030-01-03', '2030-01-20')).toEqual({
      months: null,
      edges: [['2030-01-03', '2030-01-20']],
    });
    expect(monthsAndEdges('2030-01-31', '2030-03-01')).toEqual({
      months: ['2030-02', '2030-02'],
      edges: [
        ['2030-01-31', '2030-01-31'],
        ['2030-03-01', '2030-03-01'],
      ],
    });
  });

  it('knows every rule number that covers a number', () => {
    expect(coveringRuleNumbers('+12125550100')).toEqual([
      '+12125550100',
      '+121*',
      '+1212*',
      '+12125*',
      '+121255*',
      '+1212555*',
      '+12125550*',
      '+121255501*',
      '+1212555010*',
      '+12125550100*',
    ]);
  });
});

describe('the audit in words', () => {
  it('says what changed, before → after, without the noise of counters', () => {
    const edited = entry({
      before: { number: '+12125550100', reason: 'spam', hitCount: 3, updatedAt: 'a' },
      after: { number: '+12125550100', reason: 'robocaller', hitCount: 4, updatedAt: 'b' },
    });
    expect(auditChanges(edited)).toEqual([{ field: 'reason', before: 'spam', after: 'robocaller' }]);
    expect(auditSummary(edited)).toBe("reason 'spam' → 'robocaller'");
    const created = entry({
      action: 'rule.created',
      after: { id: 'r1', number: '+1900*', reason: 'premium', createdAt: 'x' },
    });
    expect(auditSummary(created)).toBe("number '+1900*'; reason 'premium'");
    const settings = entry({
      action: 'settings.updated',
      before: { autoBlock: { threshold: 5 } },
      after: { autoBlock: { threshold: 3 } },
    });
    expect(auditSummary(settings)).toBe("autoBlock.threshold '5' → '3'");
    expect(describeAction('rule.deleted')).toBe('Deleted a rule');
    expect(describeAction('something.new')).toBe('something.new');
  });

  it('exports CSV whose formula-like cells are guarded', () => {
    const csv = auditToCsv([
      entry({
        actor: { id: 'u', name: '=HYPERLINK("x")' },
        before: { reason: 'a, b' },
        after: { reason: '@c' },
      }),
    ]);
    const [header, row] = Papa.parse<string[]>(csv.trim(), { header: false }).data;
    expect(header).toEqual(['at', 'person', 'action', 'what', 'number', 'target', 'changes']);
    expect(row).toEqual([
      '2030-01-01T00:00:00.000Z',
      '\'=HYPERLINK("x")',
      'rule.updated',
      'Edited a rule',
      "'+12125550100",
      'r1',
      "reason 'a, b' → '@c'",
    ]);
  });
});

describe('what the org knows of a caller, in words', () => {
  const base: InsightResponse = {
    number: '+12125550100',
    rules: [],
    lastHour: { agents: 0, attempts: 0, firstAt: null, lastAt: null },
    lastVerification: null,
  };
  it('says nothing when nothing is known', () => {
    expect(describeInsight(base)).toEqual([]);
  });
  it('names rules before and now, the agents it rang, and its verification', () => {
    const words = describeInsight({
      ...base,
      rules: [
        {
          ruleId: 'r2',
          kind: 'block',
          number: '+12125550100',
          reason: 'abusive',
          createdBy: 'Lee',
          createdAt: '2030-04-01T10:00:00.000Z',
          expiresAt: '2030-05-03T12:00:00.000Z',
          status: 'active',
          endedAt: null,
          endedBy: null,
        },
        {
          ruleId: 'r1',
          kind: 'block',
          number: '+1212555*',
          reason: 'exchange',
          createdBy: 'Kim',
          createdAt: '2030-03-01T10:00:00.000Z',
          expiresAt: null,
          status: 'deleted',
          endedAt: '2030-03-05T12:00:00.000Z',
          endedBy: 'Ada',
        },
      ],
      lastHour: {
        agents: 4,
        attempts: 4,
        firstAt: '2030-04-02T10:00:00.000Z',
        lastAt: '2030-04-02T10:10:00.000Z',
      },
      lastVerification: { verstat: 'TN-Validation-Failed', at: '2030-04-02T10:10:00.000Z' },
    });
    expect(words).toEqual([
      'Blocked until 3 May by Lee: abusive',
      'Was blocked (prefix +1212555*) by Kim: exchange, rule deleted 5 Mar by Ada',
      'Rang 4 agents in 10 min',
      'Last call failed verification',
    ]);
  });
  it('says how long ago a single ring was, rather than over how long it came', () => {
    const at = '2030-04-02T10:00:00.000Z';
    const once = { ...base, lastHour: { agents: 1, attempts: 1, firstAt: at, lastAt: at } };
    expect(describeInsight(once, Date.parse(at) + 4.5 * 60_000)).toEqual(['Rang 1 agent 4 min ago']);
    expect(describeInsight(once, Date.parse(at) + 20_000)).toEqual(['Rang 1 agent just now']);
    const queue = { ...base, lastHour: { agents: 3, attempts: 1, firstAt: at, lastAt: at } };
    expect(describeInsight(queue, Date.parse(at) + 12 * 60_000)).toEqual(['Rang 3 agents 12 min ago']);
  });
});
