// The baseline: a bare node:http server answering a fixed JSON body (same size as the API's answer), no framework,
// no database. Started by run.ts in its own process, like the API.
const http = require('node:http');
const body = Buffer.from(process.env.BODY_JSON || '{}');
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
