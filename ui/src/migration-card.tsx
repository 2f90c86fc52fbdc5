import { useState } from 'preact/hooks';
import type { Migration } from './api.js';
import {
  canCancel,
  canDelete,
  canStart,
  capitalize,
  formatCount,
  formatDuration,
  formatInstant,
  formatPercent,
  STAGES,
  scenarioOf,
  stageLabel,
  statusLabel,
} from './format.js';

export type Action = 'start' | 'cancel' | 'delete';

interface Props {
  migration: Migration;
  now: string | null;
  busy: boolean;
  onAction: (action: Action, migrationId: string) => void;
}

function ProgressBar({ percent, label, status }: { percent: number; label: string; status: string }) {
  return (
    <div
      class={`bar bar-${status}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(percent * 10) / 10}
    >
      <div class="bar-fill" style={{ width: `${Math.min(100, Math.max(0, percent))}%` }} />
    </div>
  );
}

function Timeline({ m }: { m: Migration }) {
  const byStage = new Map(m.progress.stages.map((s) => [s.stage, s]));
  const stageErrors = m.progress.stages.filter((s) => s.error_message);
  return (
    <div class="timeline-wrap">
      <ol class="timeline" aria-label={`Stages of ${m.migration_id}`}>
        {STAGES.map(([stage, label, short], i) => {
          const s = byStage.get(stage);
          const status = s?.status ?? 'pending';
          const current = m.progress.current_stage === stage;
          return (
            <li
              key={stage}
              class={`step step-${status}${current ? ' step-current' : ''}`}
              aria-current={current ? 'step' : undefined}
              title={
                s?.started_at
                  ? `${label}: ${statusLabel(status)}, started ${formatInstant(s.started_at)}${
                      s.completed_at ? `, ended ${formatInstant(s.completed_at)}` : ''
                    }`
                  : `${label}: ${statusLabel(status)}`
              }
            >
              <div class="step-head">
                <span class="step-index" aria-hidden="true">
                  {status === 'completed'
                    ? '✓'
                    : status === 'failed'
                      ? '!'
                      : status === 'cancelled'
                        ? '×'
                        : i + 1}
                </span>
                <span class="step-label" aria-hidden="true">
                  {short}
                </span>
                <span class="sr-only">{label}</span>
              </div>
              <ProgressBar percent={s?.progress_percent ?? 0} label={`${label} progress`} status={status} />
              <div class="step-meta">
                <span class="sr-only">{statusLabel(status)}, </span>
                {s && s.items_total > 0 ? (
                  <span>
                    {formatCount(s.items_completed)} / {formatCount(s.items_total)}
                  </span>
                ) : (
                  <span class="muted">{status === 'pending' ? 'waiting' : 'no items'}</span>
                )}
                {s && s.items_failed > 0 && (
                  <span class="failed-count">{formatCount(s.items_failed)} failed</span>
                )}
              </div>
            </li>
          );
        })}
      </ol>
      {stageErrors.map((s) => (
        <p key={s.stage} class="error stage-error">
          <span class="error-where">{stageLabel(s.stage)}</span> {s.error_message}
        </p>
      ))}
    </div>
  );
}

function Resources({ m }: { m: Migration }) {
  const nodes = m.dependency_graph?.nodes ?? [];
  const progress = new Map(m.progress.resources.map((r) => [r.resource_id, r]));
  const failed = m.progress.resources.filter((r) => r.status === 'failed').length;
  const [open, setOpen] = useState<boolean | null>(null);
  if (nodes.length === 0 && m.progress.resources.length === 0) {
    return (
      <p class="muted resources-empty">
        {m.status === 'validating' ? 'Resources appear once validation ends.' : 'No resources in scope.'}
      </p>
    );
  }
  const tiers = new Map<number, typeof nodes>();
  for (const n of nodes) tiers.set(n.tier, [...(tiers.get(n.tier) ?? []), n]);
  const done = m.progress.resources.filter((r) => r.status === 'completed').length;
  return (
    <details
      class="resources"
      open={open ?? failed > 0}
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>
        Resources: {done} of {m.progress.resources.length} completed
        {failed > 0 && <span class="failed-count"> · {failed} failed</span>}
        <span class="muted"> · {tiers.size} tiers</span>
      </summary>
      <div class="tiers">
        {[...tiers.entries()]
          .sort(([a], [b]) => a - b)
          .map(([tier, list]) => (
            <section class="tier" key={tier} aria-label={`Tier ${tier}`}>
              <h4>Tier {tier}</h4>
              <ul>
                {list.map((n) => {
                  const r = progress.get(n.resource_id);
                  const status = r?.status ?? 'pending';
                  return (
                    <li key={n.resource_id} class={`resource status-${status}`}>
                      <span class="resource-type">{n.resource_type}</span>
                      <code class="resource-id">{n.resource_id}</code>
                      <span class={`dot dot-${status}`} aria-hidden="true" />
                      <span class="resource-status">
                        {statusLabel(status)}
                        {status === 'in_progress' && r ? ` ${formatPercent(r.progress_percent)}` : ''}
                      </span>
                      {r?.error_message && <p class="error resource-error">{r.error_message}</p>}
                    </li>
                  );
                })}
              </ul>
            </section>
          ))}
      </div>
    </details>
  );
}

function Issues({ m }: { m: Migration }) {
  const v = m.validation_result;
  if (!v || (v.errors.length === 0 && v.warnings.length === 0)) return null;
  return (
    <ul class="issues">
      {v.errors.map((e, i) => (
        <li key={`e${i}`} class="error">
          <strong>Validation error</strong> <code>{e.error_code}</code>: {e.message}
        </li>
      ))}
      {v.warnings.map((w, i) => (
        <li key={`w${i}`} class="warning">
          <strong>Warning</strong> <code>{w.error_code}</code>: {w.message}
        </li>
      ))}
    </ul>
  );
}

/** One migration: status, progress, the seven stages, resources by tier, errors where they occurred. */
export function MigrationCard({ migration: m, now, busy, onAction }: Props) {
  const scenario = scenarioOf(m);
  const headingId = `h-${m.migration_id}`;
  const stageError = m.progress.stages.some((s) => s.error_message === m.error_message);
  const eta = m.progress.estimated_completion;
  const remaining = eta && now ? Date.parse(eta) - Date.parse(now) : null;
  const config = m.config as {
    migration_type: string;
    target_namespace_name?: string | null;
    dry_run?: boolean;
  };
  return (
    <article class={`card card-${m.status}`} aria-labelledby={headingId} data-migration-id={m.migration_id}>
      <header class="card-head">
        <div class="card-title">
          <h3 id={headingId}>{m.migration_id}</h3>
          <p class="muted card-sub">
            {config.migration_type} · {m.namespace_id}
            {config.target_namespace_name ? ` → ${config.target_namespace_name}` : ''}
            {scenario ? ` · scenario ${scenario}` : ''}
            {config.dry_run ? ' · dry run' : ''}
          </p>
        </div>
        <span class={`badge badge-${m.status}`} data-status={m.status}>
          {statusLabel(m.status)}
        </span>
        <div class="card-actions">
          {canStart(m) && (
            <button type="button" disabled={busy} onClick={() => onAction('start', m.migration_id)}>
              Start<span class="sr-only"> {m.migration_id}</span>
            </button>
          )}
          {canCancel(m) && (
            <button type="button" disabled={busy} onClick={() => onAction('cancel', m.migration_id)}>
              Cancel<span class="sr-only"> {m.migration_id}</span>
            </button>
          )}
          {canDelete(m) && (
            <button
              type="button"
              class="danger"
              disabled={busy}
              onClick={() => onAction('delete', m.migration_id)}
            >
              Delete<span class="sr-only"> {m.migration_id}</span>
            </button>
          )}
        </div>
      </header>

      <div class="overall">
        <ProgressBar
          percent={m.progress.overall_progress_percent}
          label={`Overall progress of ${m.migration_id}`}
          status={m.status}
        />
        <span class="overall-percent">{formatPercent(m.progress.overall_progress_percent)}</span>
        <span class="overall-stage">
          {m.status === 'in_progress' ? (
            <>
              Current stage: <strong>{stageLabel(m.progress.current_stage)}</strong>
            </>
          ) : m.completed_at ? (
            `${capitalize(statusLabel(m.status))} at ${formatInstant(m.completed_at)}`
          ) : m.status === 'pending' ? (
            'Queued: waiting for a worker'
          ) : m.status === 'validating' ? (
            'Validating the configuration'
          ) : m.status === 'draft' ? (
            'Draft: not started'
          ) : null}
        </span>
        {remaining !== null && remaining > 0 && m.status !== 'completed' && (
          <span class="muted overall-eta">ETA in {formatDuration(remaining)}</span>
        )}
      </div>

      {m.error_message && !stageError && (
        <p class="error">
          <strong>Failed:</strong> {m.error_message}
        </p>
      )}
      <Issues m={m} />
      <Timeline m={m} />
      <Resources m={m} />
    </article>
  );
}
