// Dateline: starts GraphiQL on the page served at /graphql. Served as a file
// of its own (not inline) so the page's Content-Security-Policy allows
// scripts from Dateline's own origin only.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var endpoint = root.getAttribute('data-endpoint') || '/graphql';
  var fetcher = GraphiQL.createFetcher({ url: new URL(endpoint, window.location.href).href });
  var defaultQuery =
    '# Dateline GraphQL: press the play button (Ctrl-Enter) to run a query.\n' +
    '# The documentation explorer (book icon) lists every type and field.\n' +
    '{\n' +
    '  articles(first: 5) {\n' +
    '    totalCount\n' +
    '    edges { node { slug headline publishedAt section { name } } }\n' +
    '  }\n' +
    '}\n';
  root.textContent = '';
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: true,
    }),
  );
})();
