import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';

interface OpenApiDocument {
  paths: Record<string, unknown>;
  components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
}

const ROOT = join(__dirname, '..', '..', '..');
const DOCUMENT = join(ROOT, 'postman', 'openapi.json');
const CLIENT = join(ROOT, 'clients', 'typescript');
const SCHEMA = join(CLIENT, 'src', 'schema.ts');
const EXAMPLE = join(CLIENT, 'examples', 'fulfilment.ts');

/** What `npm run client` writes for a document (the committed one by default), from the same script. */
function generateSchema(document?: OpenApiDocument): string {
  const print = (...source: string[]) =>
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'generate-client.js'), '--print', ...source], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  if (!document) return print();
  const folder = mkdtempSync(join(tmpdir(), 'typed-client-'));
  try {
    writeFileSync(join(folder, 'openapi.json'), JSON.stringify(document));
    return print(join(folder, 'openapi.json'));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const readDocument = () => JSON.parse(readFileSync(DOCUMENT, 'utf8')) as OpenApiDocument;

/** Where two texts first differ, line by line, to show in a failure instead of a diff of thousands of lines. */
function firstDifference(committed: string, generated: string): string {
  const [a, b] = [committed.split('\n'), generated.split('\n')];
  const line = a.findIndex((text, index) => text !== b[index]);
  const at = line === -1 ? a.length : line;
  return `first difference at line ${at + 1}:\n  committed: ${a[at] ?? '(end of file)'}\n  generated: ${b[at] ?? '(end of file)'}`;
}

/** The client package's own compiler settings and files (src/ and examples/), as `tsc -p clients/typescript` reads them. */
function clientProject(): ts.ParsedCommandLine {
  const { config, error } = ts.readConfigFile(join(CLIENT, 'tsconfig.json'), ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(config, ts.sys, CLIENT, { noEmit: true });
}

/**
 * Type-checks the client package as `tsc -p clients/typescript --noEmit` does, with schema.ts replaced by the given
 * text. Parsed files are kept between runs (the DOM library alone is large); only the replaced schema.ts is new.
 */
const parsed = new Map<string, ts.SourceFile | undefined>();
function typeCheckClient(schema?: string): readonly ts.Diagnostic[] {
  const { options, fileNames, errors } = clientProject();
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    if (schema !== undefined && resolve(fileName) === SCHEMA) return ts.createSourceFile(fileName, schema, languageVersion);
    if (!parsed.has(fileName)) parsed.set(fileName, read(fileName, languageVersion, ...rest));
    return parsed.get(fileName);
  };
  return [...errors, ...ts.getPreEmitDiagnostics(ts.createProgram({ rootNames: fileNames, options, host }))];
}

const describeDiagnostic = (d: ts.Diagnostic) =>
  `${d.file ? `${d.file.fileName.slice(CLIENT.length + 1)}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;

describe('typed client (clients/typescript)', () => {
  it('has the schema.ts that `npm run client` generates from postman/openapi.json', () => {
    const committed = readFileSync(SCHEMA, 'utf8');
    const generated = generateSchema();
    if (committed !== generated) {
      throw new Error(
        'clients/typescript/src/schema.ts is stale: postman/openapi.json (or the generator) now gives other types. ' +
          `Run \`npm run client\` and commit the result.\n${firstDifference(committed, generated)}`,
      );
    }
  });

  it('type-checks on its own, its examples included (tsc -p clients/typescript)', () => {
    expect(typeCheckClient().map(describeDiagnostic)).toEqual([]);
  });

  describe('turns a change of the contract into a compile error in code written against it', () => {
    const changes: [string, (document: OpenApiDocument) => void, RegExp][] = [
      [
        "the order's total_price renamed total",
        ({ components: { schemas } }) => {
          const order = schemas.OrderResponseDto;
          order.properties = Object.fromEntries(Object.entries(order.properties).map(([k, v]) => [k === 'total_price' ? 'total' : k, v]));
          order.required = order.required?.map((name) => (name === 'total_price' ? 'total' : name));
        },
        /'total_price' does not exist/,
      ],
      ['the status change route gone', ({ paths }) => delete paths['/orders/{id}/status'], /"\/orders\/\{id\}\/status"/],
      [
        'a required field added to placing an order',
        ({ components: { schemas } }) => {
          schemas.CreateOrderDto.properties.currency = { type: 'string' };
          schemas.CreateOrderDto.required = [...(schemas.CreateOrderDto.required ?? []), 'currency'];
        },
        /'currency' is missing/,
      ],
    ];

    it.each(changes)('%s', (_change, alter, error) => {
      const document = readDocument();
      alter(document);
      const diagnostics = typeCheckClient(generateSchema(document));
      const inExample = diagnostics.filter((d) => d.file && resolve(d.file.fileName) === EXAMPLE).map(describeDiagnostic);
      expect(inExample).toContainEqual(expect.stringMatching(error));
    });
  });
});
