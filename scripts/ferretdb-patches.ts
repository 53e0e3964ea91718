import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { ServiceError } from './services-process.js';

/** One textual change to FerretDB's Go source, checked to apply exactly once. */
interface Patch {
  file: string;
  before: string;
  after: string;
}

/**
 * FerretDB 1.24's SQLite backend indexes `_id` as `_ferretdb_sjson->"_id"` but looks documents
 * up by `_ferretdb_sjson->'$._id'`. The two mean the same, yet SQLite uses an expression index
 * only for the very expression it was built on, so every lookup by `_id` scanned the whole
 * table (upstream reports the same for PostgreSQL: FerretDB issue #4646). Written the index's
 * way, lookups, updates and deletes by `_id` use the index.
 */
const ID_COLUMN: Patch = {
  file: 'internal/backends/sqlite/metadata/metadata.go',
  before: `IDColumn = DefaultColumn + "->'$._id'"`,
  after: `IDColumn = DefaultColumn + "->'_id'"`,
};

/**
 * The backend pushes only `{_id: value}` down to SQLite; `{_id: {$in: [...]}}` read every row
 * and filtered in Go, so reading a batch of documents by id cost a full scan. For a filter that
 * is exactly that, with string or ObjectId values, this reads the rows through the `_id` index.
 * The handler still filters every row it gets, so the clause only narrows what SQLite returns
 * and never changes a result; anything else is left as it was.
 */
const ID_IN_QUERY: Patch = {
  file: 'internal/backends/sqlite/collection.go',
  before: [
    '\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}',
    '\t\t}',
    '\t}',
    '',
    '\tq += whereClause',
  ].join('\n'),
  after: [
    '\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}',
    '\t\tcase *types.Document:',
    '\t\t\twhereClause, args = idInClause(v.(*types.Document))',
    '\t\t}',
    '\t}',
    '',
    '\tq += whereClause',
  ].join('\n'),
};

const ID_IN_CLAUSE_FUNC = `
// idInClause returns the WHERE clause for an _id condition that is only {$in: [...]} of string
// and ObjectID values; for anything else it returns no clause and the caller scans.
func idInClause(cond *types.Document) (string, []any) {
	if cond.Len() != 1 {
		return "", nil
	}

	in, _ := cond.Get("$in")
	values, ok := in.(*types.Array)
	if !ok || values.Len() > 1000 {
		return "", nil
	}

	if values.Len() == 0 {
		return " WHERE 0", nil
	}

	args := make([]any, 0, values.Len())
	for i := 0; i < values.Len(); i++ {
		v := must.NotFail(values.Get(i))
		switch v.(type) {
		case string, types.ObjectID:
			args = append(args, string(must.NotFail(sjson.MarshalSingleValue(v))))
		default:
			return "", nil
		}
	}

	marks := strings.TrimPrefix(strings.Repeat(", ?", len(args)), ", ")
	return fmt.Sprintf(" WHERE %s IN (%s)", metadata.IDColumn, marks), args
}
`;

/**
 * The update handler deferred closing each statement's query rows to the end of the whole
 * command. The rows hold a pooled SQLite connection, and each statement's write needs another,
 * so a few concurrent `update` commands with many statements each took every connection and
 * then waited on each other for ever (0 % CPU, no error). Closing each statement's rows once
 * its update is done releases the connection; a failed update still closes them on return.
 */
const UPDATE_ROWS: Patch = {
  file: 'internal/handler/msg_update.go',
  before: [
    '\t\tcloser := iterator.NewMultiCloser()',
    '\t\tdefer closer.Close()',
    '',
    '\t\tcloser.Add(res.Iter)',
  ].join('\n'),
  after: ['\t\tcloser := iterator.NewMultiCloser()', '', '\t\tcloser.Add(res.Iter)'].join('\n'),
};

const UPDATE_ROWS_CLOSE: Patch = {
  file: 'internal/handler/msg_update.go',
  before: [
    '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)',
    '\t\tif err != nil {',
  ].join('\n'),
  after: [
    '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)',
    '\t\tcloser.Close()',
    '',
    '\t\tif err != nil {',
  ].join('\n'),
};

/** Applies every patch to the writable FerretDB source tree at `source`. */
export async function patchFerretdb(source: string, version: string): Promise<void> {
  for (const patch of [ID_COLUMN, ID_IN_QUERY, UPDATE_ROWS, UPDATE_ROWS_CLOSE]) {
    await replaceOnce(source, patch, version);
  }
  const collection = path.join(source, ID_IN_QUERY.file);
  await writeFile(collection, (await readFile(collection, 'utf8')) + ID_IN_CLAUSE_FUNC);
}

async function replaceOnce(source: string, patch: Patch, version: string): Promise<void> {
  const file = path.join(source, patch.file);
  const text = await readFile(file, 'utf8');
  if (text.split(patch.before).length !== 2) {
    throw new ServiceError(
      `mongodb: FerretDB ${version} source differs from the patch to ${patch.file}`,
    );
  }
  await writeFile(
    file,
    text.replace(patch.before, () => patch.after),
  );
}
