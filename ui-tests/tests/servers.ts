/**
 * Servers a spec runs by itself (not the shared Galata server), so that it can stop and
 * start them: `jupyter lab`, `mlflow server`, each in a process group of its own on a free
 * port of 127.0.0.1.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * Start a process in a session of its own (an mlflow server's workers, a lab's kernels:
 * they stop with it), its output appended to `log`.
 */
export function start(
  command: string,
  args: string[],
  log: fs.WriteStream,
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}
): ChildProcess {
  const child = spawn(command, args, {
    ...options,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe']
  });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  return child;
}

/**
 * `jupyter lab` on `port` serving `root` with `token`; its workspaces and user settings in
 * `options.state` (never the user's ~/.jupyter, which a later spec's server would read).
 */
export function startLab(
  port: number,
  root: string,
  token: string,
  log: fs.WriteStream,
  options: { state: string; env?: NodeJS.ProcessEnv }
): ChildProcess {
  return start(
    'jupyter',
    [
      'lab',
      '--no-browser',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      `--ServerApp.root_dir=${root}`,
      `--IdentityProvider.token=${token}`,
      '--ServerApp.allow_root=True',
      '--LabApp.news_url=',
      '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
      `--LabApp.workspaces_dir=${options.state}/workspaces`,
      `--LabApp.user_settings_dir=${options.state}/settings`
    ],
    log,
    { env: options.env, cwd: root }
  );
}

/** Wait until `url` answers 200. */
export async function answers(url: string, what: string): Promise<void> {
  const deadline = Date.now() + 90000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not start`);
}

/** Resolves when the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise(resolve => child.once('exit', () => resolve()));
}

/** Kill a process and its group (SIGKILL) and wait until the process is gone. */
export async function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const gone = exited(child);
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    child.kill('SIGKILL'); // not a group leader (or gone already)
  }
  await gone;
}
