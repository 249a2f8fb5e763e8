import type { FastifyInstance } from 'fastify';

/**
 * GraphiQL, in development only (the browser loads it from unpkg, as Mercurius' page did). It sends the
 * standard introspection query, which the depth and cost rules let through while introspection is on.
 */
const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Roster GraphiQL</title>
  <meta name="robots" content="noindex">
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3.8.3/graphiql.min.css">
  <style>body { margin: 0; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql"></div>
  <script crossorigin src="https://unpkg.com/react@18.3.1/umd/react.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphiql@3.8.3/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, { fetcher }));
  </script>
</body>
</html>
`;

export async function graphiqlRoute(app: FastifyInstance) {
  app.get('/graphiql', async (_request, reply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(page),
  );
}
