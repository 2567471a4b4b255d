// Runs TypeScript sources directly with SWC (keeps decorator metadata, resolves @htx/* paths).
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || require('path').join(__dirname, '..', 'tsconfig.base.json');
require('reflect-metadata');
require('@swc-node/register');
