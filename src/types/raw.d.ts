// Text assets (Handlebars templates, CSS, client JS) are imported as strings: Vite/vitest natively,
// esbuild through the raw-text plugin in scripts/build.mjs. Keeps reporters free of file I/O.
declare module '*?raw' {
  const text: string;
  export default text;
}
