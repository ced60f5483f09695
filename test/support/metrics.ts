import TestAgent from 'supertest/lib/agent';

/** One scrape of GET /metrics: every sample, by name, with its labels. */
export class Scrape {
  constructor(
    readonly text: string,
    private readonly samples: { name: string; labels: Record<string, string>; value: number }[],
  ) {}

  /** The value of the sample with exactly these labels, or undefined when the scrape has no such series. */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    const wanted = JSON.stringify(Object.entries(labels).sort());
    return this.samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted)?.value;
  }

  /** Whether any sample of this name was sent. */
  has(name: string): boolean {
    return this.samples.some((s) => s.name === name);
  }

  /** How much a series grew since an earlier scrape (a series absent then counts from 0). */
  since(earlier: Scrape, name: string, labels: Record<string, string> = {}): number {
    const now = this.value(name, labels);
    if (now === undefined) throw new Error(`no ${name} ${JSON.stringify(labels)} in the scrape`);
    return now - (earlier.value(name, labels) ?? 0);
  }
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text format strictly: a line that is neither a comment nor a sample fails the test. */
export function parseScrape(text: string): Scrape {
  const samples = text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = SAMPLE.exec(line);
      if (!match) throw new Error(`not a Prometheus sample: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map(([, key, value]) => [key, value]));
      return { name: match[1], labels, value: Number(match[3]) };
    });
  return new Scrape(text, samples);
}

/** GET /metrics with the given agent (credentials set on it), expecting 200. */
export async function scrape(agent: TestAgent): Promise<Scrape> {
  const res = await agent.get('/metrics').expect(200);
  return parseScrape(res.text);
}
