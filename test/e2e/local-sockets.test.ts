// The local runtime serves this machine, not its network: every socket that the runtime's processes
// (the test run's main process, which hosts the gateway, the SQS server, the pollers and the bank
// simulator, and the DynamoDB Local JVM it spawned) listen on is bound to a loopback address. Read from the kernel's own
// socket tables (/proc/net/tcp, tcp6), so nothing here trusts what the runtime says about itself.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

interface Listener {
  address: string;
  port: number;
  inode: string;
}

/** /proc/net/tcp{,6} hex addresses → text: IPv4 little-endian words; IPv6 four little-endian words. */
function decodeAddress(hex: string): string {
  if (hex.length === 8) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  const words = [0, 1, 2, 3].map((w) => hex.slice(w * 8, w * 8 + 8).match(/../g)!.reverse().join(''));
  const groups = words.join('').match(/..../g)!.map((g) => parseInt(g, 16).toString(16));
  const text = groups.join(':');
  // IPv4-mapped (::ffff:a.b.c.d)
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') {
    const v4 = words[3].match(/../g)!.map((b) => parseInt(b, 16)).join('.');
    return `::ffff:${v4}`;
  }
  return text;
}

function listeners(): Listener[] {
  const out: Listener[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] !== '0A') continue; // LISTEN
      const [addr, port] = f[1].split(':');
      out.push({ address: decodeAddress(addr), port: parseInt(port, 16), inode: f[9] });
    }
  }
  return out;
}

const isLoopback = (a: string) => /^127\./.test(a) || a === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(a);

/** pid → its socket inodes, for the processes we may read. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        /* closed meanwhile */
      }
    }
  } catch {
    /* gone */
  }
  return inodes;
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

describe.runIf(process.platform === 'linux')('the local runtime listens on loopback only', () => {
  it('every listening socket of the runtime and its child processes is bound to 127.0.0.0/8 or ::1', () => {
    const endpoints = JSON.parse(process.env.HPF_TEST_LISTENERS ?? '{}') as Record<string, string>;
    const ports = Object.fromEntries(Object.entries(endpoints).map(([k, url]) => [k, Number(new URL(url).port)]));
    expect(Object.keys(ports).sort()).toEqual(['bank', 'dynamodb', 'gateway', 'sqs']);
    const all = listeners();
    // the process that owns the gateway's socket is the runtime's host; the JVM is its child
    const gatewayInodes = new Set(all.filter((l) => l.port === ports.gateway).map((l) => l.inode));
    const host = descendants(1).find((pid) => [...socketInodes(pid)].some((i) => gatewayInodes.has(i)));
    expect(host, 'the process hosting the gateway').toBeDefined();
    const tree = descendants(host!);
    const owned = new Set(tree.flatMap((pid) => [...socketInodes(pid)]));
    const mine = all.filter((l) => owned.has(l.inode));
    // each of the runtime's services is among them (so the check below is about real sockets) …
    for (const [name, port] of Object.entries(ports)) expect(mine.some((l) => l.port === port), `${name} listens on ${port}`).toBe(true);
    // … and none listens beyond loopback
    const exposed = mine.filter((l) => !isLoopback(l.address)).map((l) => `${l.address}:${l.port}`);
    expect(exposed).toEqual([]);
    console.log(`listening sockets of the runtime (${tree.length} processes): ${mine.map((l) => `${l.address}:${l.port}`).join(', ')}`);
  });
});
