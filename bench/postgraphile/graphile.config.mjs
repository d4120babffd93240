// The benchmark's peer: PostGraphile 5 as its authors recommend it (the
// Amber preset with simplified inflection), serving the archive that
// scripts/bench has just seeded for Dateline. Nothing here is part of
// Dateline; scripts/bench installs it (npm ci) and starts it with
// DATABASE_URL and PORT set.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";
import { makePgService } from "postgraphile/adaptors/pg";
import { jsonPgSmartTags } from "postgraphile/utils";
import { createServer } from "node:http";

// Dateline's schema keeps no foreign key on a comment's parent (a
// tombstone keeps its row), so the one relation the page needs that the
// database does not declare is told here: comment.parent_id names a
// comment, and a comment's `replies` are the comments naming it.
const DatelineRelations = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      comment: {
        tags: {
          foreignKey: "(parent_id) references comment (id)|@fieldName parent|@foreignFieldName replies",
        },
      },
    },
  },
});

// The database service, as PostGraphile makes it.
const pgService = makePgService({
  connectionString: process.env.DATABASE_URL,
  schemas: ["public"],
  // Nothing here listens for notifications.
  pubsub: false,
});

// Measurement only, as Dateline's /metrics counts its own: every statement
// a pooled connection sends (begin and commit included) is counted, and
// with STATS_PORT set the count is served at /metrics on that port as
// `peer_sql_statements_total N`. It changes nothing PostGraphile does.
let statements = 0;
pgService.adaptorSettings.pool.on("connect", (client) => {
  const query = client.query;
  client.query = function (...args) {
    statements += 1;
    return query.apply(this, args);
  };
});
if (process.env.STATS_PORT) {
  createServer((_req, res) => {
    res.setHeader("content-type", "text/plain");
    res.end(`peer_sql_statements_total ${statements}\n`);
  }).listen(Number(process.env.STATS_PORT), "127.0.0.1");
}

/** @type {GraphileConfig.Preset} */
export default {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  plugins: [DatelineRelations],
  // Order and filter by any column (PostGraphile's `ignoreIndexes`): the
  // thread is read newest first by the index on (article_id, depth,
  // created_at, id), which does not start with the columns ordered by.
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [pgService],
  grafserv: {
    host: "127.0.0.1",
    port: Number(process.env.PORT ?? 18081),
    graphiql: false,
    websockets: false,
  },
  grafast: {
    explain: false,
  },
};
