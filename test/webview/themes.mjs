// The CSS variables VS Code puts on a webview's <html> element (subset the panel and
// @vscode-elements use), for Dark Modern, Light Modern and High Contrast (dark).
const common = {
  '--vscode-font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-weight': 'normal',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  '--vscode-editor-font-size': '14px',
};

export const THEMES = {
  dark: {
    bodyClass: 'vscode-dark', kind: 'vscode-dark',
    vars: {
      ...common,
      '--vscode-foreground': '#cccccc', '--vscode-editor-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f',
      '--vscode-descriptionForeground': '#9d9d9d', '--vscode-focusBorder': '#0078d4', '--vscode-editorWidget-border': '#454545',
      '--vscode-editorWidget-background': '#202020', '--vscode-textLink-foreground': '#4daafc', '--vscode-button-background': '#0078d4',
      '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#026ec1', '--vscode-button-border': '#ffffff12',
      '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc',
      '--vscode-button-secondaryHoverBackground': '#3c3c3c', '--vscode-badge-background': '#616161', '--vscode-badge-foreground': '#f8f8f8',
      '--vscode-charts-foreground': '#cccccc', '--vscode-charts-lines': '#cccccc80', '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-red': '#f14c4c', '--vscode-charts-green': '#89d185', '--vscode-charts-orange': '#d18616',
      '--vscode-charts-purple': '#b180d7', '--vscode-charts-yellow': '#cca700', '--vscode-errorForeground': '#f85149',
      '--vscode-inputValidation-errorBackground': '#5a1d1d', '--vscode-inputValidation-errorBorder': '#be1100',
      '--vscode-inputValidation-warningBackground': '#352a05', '--vscode-inputValidation-warningBorder': '#b89500',
      '--vscode-editorWarning-foreground': '#cca700', '--vscode-progressBar-background': '#0078d4',
      '--vscode-checkbox-background': '#313131', '--vscode-checkbox-border': '#3c3c3c', '--vscode-checkbox-foreground': '#cccccc',
      '--vscode-settings-checkboxBackground': '#313131', '--vscode-settings-checkboxBorder': '#3c3c3c', '--vscode-settings-checkboxForeground': '#cccccc',
      '--vscode-editorHoverWidget-background': '#202020', '--vscode-editorHoverWidget-border': '#454545',
      '--vscode-editorHoverWidget-foreground': '#cccccc',
    },
  },
  light: {
    bodyClass: 'vscode-light', kind: 'vscode-light',
    vars: {
      ...common,
      '--vscode-foreground': '#3b3b3b', '--vscode-editor-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff',
      '--vscode-descriptionForeground': '#3b3b3b', '--vscode-focusBorder': '#005fb8', '--vscode-editorWidget-border': '#c8c8c8',
      '--vscode-editorWidget-background': '#f8f8f8', '--vscode-textLink-foreground': '#005fb8', '--vscode-button-background': '#005fb8',
      '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#0258a8', '--vscode-button-border': '#0000001a',
      '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b',
      '--vscode-button-secondaryHoverBackground': '#cccccc', '--vscode-badge-background': '#cccccc', '--vscode-badge-foreground': '#3b3b3b',
      '--vscode-charts-foreground': '#3b3b3b', '--vscode-charts-lines': '#3b3b3b80', '--vscode-charts-blue': '#1a85ff',
      '--vscode-charts-red': '#e51400', '--vscode-charts-green': '#388a34', '--vscode-charts-orange': '#d18616',
      '--vscode-charts-purple': '#652d90', '--vscode-charts-yellow': '#bf8803', '--vscode-errorForeground': '#f85149',
      '--vscode-inputValidation-errorBackground': '#f2dede', '--vscode-inputValidation-errorBorder': '#be1100',
      '--vscode-inputValidation-warningBackground': '#f6f5d2', '--vscode-inputValidation-warningBorder': '#b89500',
      '--vscode-editorWarning-foreground': '#bf8803', '--vscode-progressBar-background': '#005fb8',
      '--vscode-checkbox-background': '#f8f8f8', '--vscode-checkbox-border': '#cecece', '--vscode-checkbox-foreground': '#3b3b3b',
      '--vscode-settings-checkboxBackground': '#f8f8f8', '--vscode-settings-checkboxBorder': '#cecece', '--vscode-settings-checkboxForeground': '#3b3b3b',
      '--vscode-editorHoverWidget-background': '#f8f8f8', '--vscode-editorHoverWidget-border': '#c8c8c8',
      '--vscode-editorHoverWidget-foreground': '#3b3b3b',
    },
  },
  'hc-dark': {
    bodyClass: 'vscode-high-contrast', kind: 'vscode-high-contrast',
    vars: {
      ...common,
      '--vscode-foreground': '#ffffff', '--vscode-editor-foreground': '#ffffff', '--vscode-editor-background': '#000000',
      '--vscode-descriptionForeground': '#ffffffb3', '--vscode-focusBorder': '#f38518', '--vscode-contrastBorder': '#6fc3df',
      '--vscode-editorWidget-border': '#6fc3df', '--vscode-editorWidget-background': '#0c141f', '--vscode-textLink-foreground': '#21a6ff',
      '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#6fc3df',
      '--vscode-button-secondaryBackground': '#000000', '--vscode-button-secondaryForeground': '#ffffff',
      '--vscode-badge-background': '#000000', '--vscode-badge-foreground': '#ffffff',
      '--vscode-charts-foreground': '#ffffff', '--vscode-charts-lines': '#ffffff80', '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-red': '#f14c4c', '--vscode-charts-green': '#89d185', '--vscode-charts-orange': '#d18616',
      '--vscode-charts-purple': '#b180d7', '--vscode-charts-yellow': '#cca700', '--vscode-errorForeground': '#f48771',
      '--vscode-inputValidation-errorBackground': '#000000', '--vscode-inputValidation-errorBorder': '#f38518',
      '--vscode-progressBar-background': '#6fc3df', '--vscode-checkbox-background': '#000000', '--vscode-checkbox-border': '#6fc3df',
      '--vscode-editorHoverWidget-background': '#0c141f', '--vscode-editorHoverWidget-border': '#6fc3df',
    },
  },
};

export function styleAttr(theme) {
  return Object.entries(THEMES[theme].vars).map(([k, v]) => `${k}: ${v}`).join('; ');
}
