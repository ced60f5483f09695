'use strict';
/**
 * A three-node MariaDB Galera cluster on this machine, for the cluster tests (`npm run test:galera`): each node
 * runs Debian's mariadbd with the galera-4 provider, as user `mysql` (rsync state transfer refuses root), on
 * loopback with ports of its own and a data folder under one temporary directory. Node 1 bootstraps the cluster
 * (--wsrep-new-cluster); the others join one at a time. `kill(i)` is a real `kill -9` of a node; `start(i)`
 * rejoins it (incremental or rsync state transfer).
 *
 * By hand: `node scripts/galera-cluster.js` starts a cluster, prints its ports and keeps it up until Ctrl-C.
 */
const { execFileSync, spawn } = require('node:child_process');
const { chownSync, mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const MARIADBD = '/usr/sbin/mariadbd';
const PROVIDER = ['/usr/lib/galera/libgalera_smm.so', '/usr/lib/libgalera_smm.so'].find((path) => existsSync(path));
const START_TIMEOUT_MS = 120_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function mysqlUid() {
  return {
    uid: Number(execFileSync('id', ['-u', 'mysql']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'mysql']).toString().trim()),
  };
}

class GaleraCluster {
  /** @param {{ basePort?: number, size?: number }} options */
  constructor({ basePort = 23306, size = 3 } = {}) {
    if (!PROVIDER) throw new Error('libgalera_smm.so not found: apt-get install galera-4 (it comes with mariadb-server)');
    this.root = mkdtempSync(join(tmpdir(), 'galera-'));
    this.owner = mysqlUid();
    chownSync(this.root, this.owner.uid, this.owner.gid);
    this.nodes = Array.from({ length: size }, (_, i) => {
      const n = i + 1;
      const dir = join(this.root, `node${n}`);
      return {
        n,
        dir,
        data: join(dir, 'data'),
        socket: join(dir, 'mysqld.sock'),
        config: join(dir, 'my.cnf'),
        port: basePort + i * 10, // SQL
        gcomm: basePort + i * 10 + 1, // group communication
        ist: basePort + i * 10 + 2, // incremental state transfer
        sst: basePort + i * 10 + 3, // rsync state transfer
        process: null,
        log: join(dir, 'error.log'),
      };
    });
  }

  get ports() {
    return this.nodes.map((node) => node.port);
  }

  clusterAddress() {
    return `gcomm://${this.nodes.map((node) => `127.0.0.1:${node.gcomm}`).join(',')}`;
  }

  writeConfig(node) {
    mkdirSync(node.data, { recursive: true });
    writeFileSync(
      node.config,
      [
        '[mariadbd]',
        `datadir=${node.data}`,
        `socket=${node.socket}`,
        `pid-file=${join(node.dir, 'mysqld.pid')}`,
        `log-error=${node.log}`,
        `port=${node.port}`,
        'bind-address=127.0.0.1',
        'skip-name-resolve=OFF',
        'innodb_buffer_pool_size=64M',
        'innodb_log_file_size=16M',
        'innodb_flush_log_at_trx_commit=2',
        'performance_schema=OFF',
        'max_connections=300',
        'binlog_format=ROW',
        'default_storage_engine=InnoDB',
        'innodb_autoinc_lock_mode=2',
        'wsrep_on=ON',
        `wsrep_provider=${PROVIDER}`,
        `wsrep_cluster_address=${this.clusterAddress()}`,
        'wsrep_cluster_name=ecommerce_test',
        `wsrep_node_name=node${node.n}`,
        `wsrep_node_address=127.0.0.1:${node.gcomm}`,
        `wsrep_provider_options="base_port=${node.gcomm};gmcast.listen_addr=tcp://127.0.0.1:${node.gcomm};ist.recv_addr=127.0.0.1:${node.ist};gcache.size=64M"`,
        'wsrep_sst_method=rsync',
        `wsrep_sst_receive_address=127.0.0.1:${node.sst}`,
        'wsrep_slave_threads=2',
        // causal reads: a read on any node sees every write committed (on any node) before it began
        'wsrep_sync_wait=1',
        '',
      ].join('\n'),
    );
    execFileSync('chown', ['-R', 'mysql:mysql', node.dir]);
  }

  async startAll() {
    const first = this.nodes[0];
    this.writeConfig(first);
    execFileSync(
      'mariadb-install-db',
      [`--defaults-file=${first.config}`, '--user=mysql', '--auth-root-authentication-method=normal', '--skip-test-db'],
      { stdio: 'ignore' },
    );
    execFileSync('chown', ['-R', 'mysql:mysql', first.dir]);
    await this.start(1, { bootstrap: true });
    // the suites log in over TCP as root with an empty password (replicated to the joiners by the transfer)
    this.sql(1, "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;");
    for (const node of this.nodes.slice(1)) {
      this.writeConfig(node);
      await this.start(node.n);
    }
    await this.waitForSize(this.nodes.length);
  }

  /** Starts node n (joining the cluster, or bootstrapping it) and waits until it is Synced. */
  async start(n, { bootstrap = false } = {}) {
    const node = this.nodes[n - 1];
    const args = [`--defaults-file=${node.config}`, '--user=mysql', ...(bootstrap ? ['--wsrep-new-cluster'] : [])];
    node.process = spawn(MARIADBD, args, { stdio: 'ignore', detached: false });
    node.process.once('exit', () => (node.process = null));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!node.process) throw new Error(`node ${n} exited while starting; see ${node.log}`);
      try {
        if (this.status(n, 'wsrep_local_state_comment') === 'Synced') return;
      } catch {
        // not answering yet
      }
      await sleep(500);
    }
    throw new Error(`node ${n} did not reach Synced within ${START_TIMEOUT_MS / 1000} s; see ${node.log}`);
  }

  /** kill -9: the node dies with whatever it had in flight. */
  kill(n) {
    const node = this.nodes[n - 1];
    if (node.process) node.process.kill('SIGKILL');
  }

  async stop(n) {
    const node = this.nodes[n - 1];
    if (!node.process) return;
    const exited = new Promise((resolve) => node.process.once('exit', resolve));
    node.process.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000)]);
    if (node.process) node.process.kill('SIGKILL');
  }

  async waitForSize(size, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const alive = this.nodes.find((node) => node.process);
      if (alive && Number(this.status(alive.n, 'wsrep_cluster_size')) === size) return;
      await sleep(500);
    }
    throw new Error(`the cluster did not reach ${size} nodes`);
  }

  status(n, variable) {
    const out = this.sql(n, `SHOW GLOBAL STATUS LIKE '${variable}'`, ['-N', '-B']);
    return out.split('\t')[1]?.trim();
  }

  sql(n, statements, extra = []) {
    const node = this.nodes[n - 1];
    return execFileSync('mariadb', ['--protocol=socket', `--socket=${node.socket}`, '-u', 'root', ...extra, '-e', statements], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString();
  }

  async destroy() {
    await Promise.all(this.nodes.map((node) => this.stop(node.n)));
    rmSync(this.root, { recursive: true, force: true });
  }
}

module.exports = { GaleraCluster };

if (require.main === module) {
  const cluster = new GaleraCluster();
  const started = Date.now();
  cluster
    .startAll()
    .then(() => {
      console.log(
        `Galera cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s: MariaDB on 127.0.0.1 ports ${cluster.ports.join(', ')} (root, empty password). Ctrl-C stops it.`,
      );
      const stop = () => cluster.destroy().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    })
    .catch(async (error) => {
      console.error(error.message);
      await cluster.destroy();
      process.exit(1);
    });
}
