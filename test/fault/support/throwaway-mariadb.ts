import { ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection, type Connection } from 'mysql2/promise';
import { freePort } from './server';

const MARIADBD = process.env.MARIADBD ?? '/usr/sbin/mariadbd';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 60_000;

/**
 * A MariaDB server of a test's own, which the test may stop, kill and start again under the application:
 * its own data folder in a temporary directory, its own port on 127.0.0.1, root with an empty password.
 * Run as root (as CI does), the folder belongs to the `mysql` user and mariadbd drops to it.
 */
export class ThrowawayMariadb {
  readonly host = '127.0.0.1';
  private process?: ChildProcess;

  private constructor(
    private readonly folder: string,
    readonly port: number,
  ) {}

  /** Creates the data folder (mariadb-install-db) and starts the server. */
  static async create(): Promise<ThrowawayMariadb> {
    const folder = mkdtempSync(join(tmpdir(), 'ecommerce-mariadb-'));
    const db = new ThrowawayMariadb(folder, await freePort());
    try {
      if (asRoot()) chownSync(folder, mysqlUser().uid, mysqlUser().gid);
      await promisify(execFile)('mariadb-install-db', [
        '--no-defaults',
        ...(asRoot() ? ['--user=mysql'] : []),
        `--datadir=${db.dataDir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
      ]);
      await db.start();
      return db;
    } catch (error) {
      await db.destroy();
      throw error;
    }
  }

  private get dataDir(): string {
    return join(this.folder, 'data');
  }

  get running(): boolean {
    return !!this.process && this.process.exitCode === null && this.process.signalCode === null;
  }

  /** The DB_* variables that point the application at `database` on this server. */
  env(database: string): Record<string, string> {
    return {
      DB_TYPE: 'mysql',
      DB_HOST: this.host,
      DB_PORT: String(this.port),
      DB_USERNAME: 'root',
      DB_PASSWORD: '',
      DB_DATABASE: database,
    };
  }

  connect(database?: string): Promise<Connection> {
    return createConnection({ host: this.host, port: this.port, user: 'root', password: '', database });
  }

  /** Starts mariadbd on the same data and port, and resolves once it answers. */
  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn(
      MARIADBD,
      [
        '--no-defaults',
        ...(asRoot() ? ['--user=mysql'] : []),
        `--datadir=${this.dataDir}`,
        `--port=${this.port}`,
        `--bind-address=${this.host}`,
        `--socket=${join(this.folder, 'mysqld.sock')}`,
        `--pid-file=${join(this.folder, 'mysqld.pid')}`,
        `--log-error=${join(this.folder, 'error.log')}`,
        '--innodb-buffer-pool-size=64M',
        '--skip-log-bin',
        '--skip-name-resolve',
      ],
      { stdio: 'ignore' },
    );
    this.process = child;
    // a test runner that dies without destroy() must not leave the server running
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));

    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (!this.running) throw new Error(`mariadbd exited with ${child.exitCode ?? child.signalCode} while starting:\n${this.errorLog()}`);
      try {
        await (await this.connect()).end();
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`mariadbd did not answer within ${START_TIMEOUT_MS / 1000} s: ${(error as Error).message}\n${this.errorLog()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** A clean shutdown (SIGTERM): resolves once mariadbd has exited. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  /** A crash (SIGKILL): resolves once mariadbd is gone. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as in a network partition. */
  freeze(): void {
    if (this.running) this.process!.kill('SIGSTOP');
  }

  /** Lets a frozen server run again (SIGCONT). */
  thaw(): void {
    if (this.running) this.process!.kill('SIGCONT');
  }

  /** Stops the server (killing it if it does not stop) and removes its folder. */
  async destroy(): Promise<void> {
    this.thaw();
    await this.stop().catch(() => this.kill());
    rmSync(this.folder, { recursive: true, force: true });
  }

  errorLog(): string {
    const file = join(this.folder, 'error.log');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-20).join('\n') : '(no error log)';
  }

  private signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.process;
    if (!child || !this.running) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`mariadbd did not exit within ${STOP_TIMEOUT_MS / 1000} s of ${signal}`)),
        STOP_TIMEOUT_MS,
      );
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill(signal);
    });
  }
}

const asRoot = () => process.getuid?.() === 0;

function mysqlUser(): { uid: number; gid: number } {
  const [, , uid, gid] =
    readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((line) => line.split(':'))
      .find(([name]) => name === 'mysql') ?? [];
  if (uid === undefined) throw new Error(`no "mysql" user to run mariadbd as (running as ${userInfo().username})`);
  return { uid: Number(uid), gid: Number(gid) };
}
