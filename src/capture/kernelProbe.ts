/**
 * What a Log run asks of an IPython kernel around the cell's own execution. Before it, a
 * *claim* (so explicit `log_*` calls in the cell come back as an output instead of an
 * implicit run, and the numeric values of the names the cell assigns — found by the
 * kernel's copy of the one capture — come back in the cell's own `execute_reply` as a
 * payload). When the kernel lacks jupyterlab_runs, a *probe* after the cell reads the
 * values of the names the server's scan found instead. Both are `user_expressions` of an
 * empty silent execute_request: nothing enters the history, nothing is printed, and
 * only small JSON crosses the wire.
 */

import { Kernel, KernelMessage } from '@jupyterlab/services';

import { decodeNumber } from '../api/numbers';

/** Most names probed per run; more are ignored (their values are never fetched). */
export const MAX_PROBED_NAMES = 200;

/** How long to wait for the kernel before giving up on a probe, in ms. */
export const PROBE_TIMEOUT_MS = 5000;

/** A Python string literal for `text` (JSON string syntax is valid Python). */
function pyString(text: string): string {
  return JSON.stringify(text);
}

/**
 * The expression returning `{name: float}` as JSON text for the names whose values
 * are real numbers (not bools). It only calls `float()` on `numbers.Real` values, so
 * no repr of a user object is ever computed or transferred.
 */
export function numericValuesExpression(names: readonly string[]): string {
  const list = `[${names.slice(0, MAX_PROBED_NAMES).map(pyString).join(', ')}]`;
  return (
    '(lambda json, numbers, ns: json.dumps({k: float(ns[k]) for k in ' +
    `${list} if k in ns and isinstance(ns[k], numbers.Real) ` +
    'and not isinstance(ns[k], bool)}))' +
    "(__import__('json'), __import__('numbers'), globals())"
  );
}

/** The expression that claims the next execution of `cellId` for the front end. */
export function claimExpression(cellId: string): string {
  return (
    "__import__('jupyterlab_runs.kernel.frontend', fromlist=['claim'])" +
    `.claim(${pyString(cellId)})`
  );
}

/** Source of the payload a claimed cell adds to its execute_reply. */
export const PAYLOAD_SOURCE = 'jupyterlab_runs';

/**
 * Watches a kernel for the execute_reply payload of a claimed cell; connected only for
 * the duration of one tracked execution.
 */
export class ReplyPayloadWatcher {
  /** Start watching `kernel` for the payload of `cellId`. */
  constructor(
    private readonly _kernel: Kernel.IKernelConnection,
    private readonly _cellId: string
  ) {
    _kernel.anyMessage.connect(this._onMessage, this);
  }

  /** What the payload carried, once the reply has arrived; null otherwise. */
  get result(): IProbeResult | null {
    return this._result;
  }

  /** Stop watching. */
  dispose(): void {
    this._kernel.anyMessage.disconnect(this._onMessage, this);
  }

  private _onMessage(
    _: Kernel.IKernelConnection,
    args: Kernel.IAnyMessageArgs
  ): void {
    const msg = args.msg;
    if (args.direction !== 'recv' || msg.header.msg_type !== 'execute_reply') {
      return;
    }
    const payloads = (msg.content as { payload?: unknown }).payload;
    for (const item of Array.isArray(payloads) ? payloads : []) {
      const payload = item as Record<string, unknown>;
      if (
        payload?.source === PAYLOAD_SOURCE &&
        payload.cell_id === this._cellId
      ) {
        this._result = {
          values: decodeValues(payload.variables),
          executionCount:
            typeof payload.execution_count === 'number'
              ? payload.execution_count
              : null
        };
      }
    }
  }

  private _result: IProbeResult | null = null;
}

/** `{name: number | 'NaN' | …}` as a map of numbers; anything else is dropped. */
function decodeValues(raw: unknown): Map<string, number> {
  const values = new Map<string, number>();
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [key, value] of Object.entries(raw)) {
      const number = decodeNumber(value);
      if (number !== null) {
        values.set(key, number);
      }
    }
  }
  return values;
}

/** What a probe found. */
export interface IProbeResult {
  /** Numeric values of the probed names. */
  values: Map<string, number>;
  /** The kernel's execution counter (count of the last stored execution). */
  executionCount: number | null;
}

/** Parse the `text/plain` repr of the JSON string the probe expression returns. */
export function parseNumericValues(plain: string): Map<string, number> {
  // The repr of a Python str holding JSON: strip the quotes; JSON has no single quotes.
  const quoted = /^'(.*)'$/s.exec(plain.trim());
  if (!quoted) {
    return new Map();
  }
  const json = quoted[1]
    .replace(/\\\\/g, '\\')
    .replace(/: (-?Infinity|NaN)(?=[,}])/g, ': "$1"');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return new Map();
  }
  return decodeValues(parsed);
}

/** Send an empty silent request with `expressions`; resolve to its reply content. */
async function silentRequest(
  kernel: Kernel.IKernelConnection,
  expressions: Record<string, string>
): Promise<KernelMessage.IExecuteReply | null> {
  const future = kernel.requestExecute(
    {
      code: '',
      silent: true,
      store_history: false,
      user_expressions: expressions,
      allow_stdin: false
    },
    true
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>(resolve => {
    timer = setTimeout(() => resolve(null), PROBE_TIMEOUT_MS);
  });
  try {
    const reply = await Promise.race([future.done, timeout]);
    if (reply === null) {
      future.dispose();
      return null;
    }
    return reply.content as KernelMessage.IExecuteReply;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Claim the next execution of a cell (a no-op in kernels without jupyterlab_runs).
 * Not awaited by callers: the claim is sent before the cell's own request on the same
 * channel, so the kernel handles it first.
 */
export function claimCell(
  kernel: Kernel.IKernelConnection,
  cellId: string
): Promise<unknown> {
  return silentRequest(kernel, { claim: claimExpression(cellId) });
}

/** Read the numeric values of `names` and the execution counter from the kernel. */
export async function probeKernel(
  kernel: Kernel.IKernelConnection,
  names: readonly string[]
): Promise<IProbeResult> {
  const expressions: Record<string, string> = {};
  if (names.length > 0) {
    expressions.values = numericValuesExpression(names);
  }
  const reply = await silentRequest(kernel, expressions);
  const result: IProbeResult = { values: new Map(), executionCount: null };
  if (!reply || reply.status !== 'ok') {
    return result;
  }
  result.executionCount = reply.execution_count;
  const values = reply.user_expressions?.['values'] as
    { status?: string; data?: Record<string, unknown> } | undefined;
  const plain = values?.status === 'ok' ? values.data?.['text/plain'] : null;
  if (typeof plain === 'string') {
    result.values = parseNumericValues(plain);
  }
  return result;
}
