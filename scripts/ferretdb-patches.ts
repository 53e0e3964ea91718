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

/**
 * Each statement of an `update` command was written in a transaction of its own, so a bulk
 * write of fifty `_id` updates committed fifty times. Statements that update one document by
 * `_id` alone (no upsert, no multi) now hand their document to a collector, written in one
 * transaction before any statement that could read it (another filter, the same `_id` again)
 * and when the command ends. If that write fails, none of its documents is written and the
 * command fails, as it failed before at its first bad statement.
 */
const DEFER_BEFORE_LOOP: Patch = {
  file: 'internal/handler/msg_update.go',
  before: [
    '\tfor _, u := range params.Updates {',
    '\t\tc, err := db.Collection(params.Collection)',
  ].join('\n'),
  after: [
    '\tdeferred := deferredUpdates{keys: map[string]bool{}}',
    '',
    '\tfor _, u := range params.Updates {',
    '\t\tkey, idOnly := idOnlyUpdate(&u)',
    '\t\tif !idOnly || deferred.keys[key] {',
    '\t\t\tif err := deferred.flush(ctx); err != nil {',
    '\t\t\t\treturn 0, 0, nil, lazyerrors.Error(err)',
    '\t\t\t}',
    '\t\t}',
    '',
    '\t\tc, err := db.Collection(params.Collection)',
  ].join('\n'),
};

const DEFER_STATEMENT: Patch = {
  file: 'internal/handler/msg_update.go',
  before: '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)',
  after: [
    '\t\tvar target backends.Collection = c',
    '\t\tif idOnly {',
    '\t\t\tdeferred.Collection = c',
    '\t\t\tdeferred.keys[key] = true',
    '\t\t\ttarget = &deferred',
    '\t\t}',
    '',
    '\t\tresult, err := common.UpdateDocument(ctx, target, "update", iter, &u)',
  ].join('\n'),
};

const DEFER_AT_END: Patch = {
  file: 'internal/handler/msg_update.go',
  before: '\treturn matched, modified, &upserted, nil\n}',
  after: [
    '\tif err := deferred.flush(ctx); err != nil {',
    '\t\treturn 0, 0, nil, lazyerrors.Error(err)',
    '\t}',
    '',
    '\treturn matched, modified, &upserted, nil',
    '}',
  ].join('\n'),
};

const DEFERRED_UPDATES_TYPE = `
// deferredUpdates collects the documents of _id-only update statements, to write them in one
// transaction.
type deferredUpdates struct {
	backends.Collection
	docs []*types.Document
	keys map[string]bool
}

// UpdateAll implements backends.Collection interface by collecting the documents.
func (d *deferredUpdates) UpdateAll(
	_ context.Context,
	params *backends.UpdateAllParams,
) (*backends.UpdateAllResult, error) {
	d.docs = append(d.docs, params.Docs...)
	return &backends.UpdateAllResult{Updated: int32(len(params.Docs))}, nil
}

// flush writes the collected documents in one transaction.
func (d *deferredUpdates) flush(ctx context.Context) error {
	if len(d.docs) == 0 {
		return nil
	}

	docs := d.docs
	d.docs = nil
	d.keys = map[string]bool{}

	_, err := d.Collection.UpdateAll(ctx, &backends.UpdateAllParams{Docs: docs})

	return err
}

// idOnlyUpdate returns a key for the _id of a statement that updates one document by _id alone.
func idOnlyUpdate(u *common.Update) (string, bool) {
	if u.Upsert || u.Multi || u.Filter.Len() != 1 {
		return "", false
	}

	v, _ := u.Filter.Get("_id")
	switch v.(type) {
	case string, types.ObjectID:
		return fmt.Sprintf("%T %v", v, v), true
	default:
		return "", false
	}
}
`;

/** Applies every patch to the writable FerretDB source tree at `source`. */
export async function patchFerretdb(source: string, version: string): Promise<void> {
  const patches = [ID_COLUMN, ID_IN_QUERY, UPDATE_ROWS, UPDATE_ROWS_CLOSE];
  for (const patch of [...patches, DEFER_BEFORE_LOOP, DEFER_STATEMENT, DEFER_AT_END]) {
    await replaceOnce(source, patch, version);
  }
  await append(source, ID_IN_QUERY.file, ID_IN_CLAUSE_FUNC);
  await append(source, UPDATE_ROWS.file, DEFERRED_UPDATES_TYPE);
}

async function append(source: string, file: string, text: string): Promise<void> {
  const full = path.join(source, file);
  await writeFile(full, (await readFile(full, 'utf8')) + text);
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
