// TypeScript server plugin (contributes.typescriptServerPlugins): in files named
// *.landscape.ts, imports of `loss-landscape` resolve to the extension's API declarations
// (dist/types/api/index.d.ts) and `@tensorflow/tfjs*` to the extension's own TF.js types,
// exactly as the runner resolves them at run time. Other files and other imports are untouched.
'use strict';
const path = require('path');
const fs = require('fs');

function extensionRoot(start) {
  let dir = fs.realpathSync(start);
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, 'package.json');
    try { if (JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'loss-landscape') return dir; } catch { /* keep walking */ }
    dir = path.dirname(dir);
  }
  return undefined;
}

const PROVIDED = /^(loss-landscape|@tensorflow\/tfjs(-core|-layers|-converter|-data|-backend-cpu|-backend-wasm)?)(\/.*)?$/;

function init(modules) {
  const ts = modules.typescript;
  const root = extensionRoot(__dirname);
  function resolveProvided(name, options) {
    if (!root || !PROVIDED.test(name)) return undefined;
    if (name === 'loss-landscape') {
      const f = path.join(root, 'dist', 'types', 'api', 'index.d.ts');
      return fs.existsSync(f) ? { resolvedFileName: f, extension: ts.Extension.Dts, isExternalLibraryImport: true } : undefined;
    }
    const r = ts.resolveModuleName(name, path.join(root, '__resolve__.ts'), { ...options, moduleResolution: ts.ModuleResolutionKind.Node10 }, ts.sys);
    return r.resolvedModule;
  }
  const isLandscape = (file) => /\.landscape\.ts$/.test(file);
  return {
    create(info) {
      const host = info.languageServiceHost;
      const log = (m) => info.project.projectService.logger.info(`[loss-landscape-ts-plugin] ${m}`);
      log(`extension root ${root}`);
      if (host.resolveModuleNameLiterals) {
        const original = host.resolveModuleNameLiterals.bind(host);
        host.resolveModuleNameLiterals = (literals, containingFile, redirected, options, ...rest) => {
          const results = original(literals, containingFile, redirected, options, ...rest);
          if (!isLandscape(containingFile)) return results;
          return results.map((r, i) => {
            const ours = resolveProvided(literals[i].text, options);
            return ours ? { resolvedModule: ours } : r;
          });
        };
      }
      if (host.resolveModuleNames) {
        const original = host.resolveModuleNames.bind(host);
        host.resolveModuleNames = (names, containingFile, reused, redirected, options, ...rest) => {
          const results = original(names, containingFile, reused, redirected, options, ...rest);
          if (!isLandscape(containingFile)) return results;
          return names.map((n, i) => resolveProvided(n, options) || results[i]);
        };
      }
      return info.languageService;
    },
  };
}

module.exports = init;
