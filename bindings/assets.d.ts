/** Modules the bundler supplies (scripts/build.ts): the cores as bytes (binary loader), the web worker as text. */
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
declare module 'synack:worker-web' {
  const source: string;
  export default source;
}
