/** The tray icon (a 32×32 PNG: a blue disc with a white bar), embedded so the bundle needs no asset path. */
export const TRAY_ICON_DATA_URL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAAi0lEQVR42u3XsQ2AMBBD0SzDZIzPEFDRkQifHcdCnET9viiSS2v/gLPtxzn6lsHTQlBYGsLiVIQKL0WocShChd0DRyjxpwg7Dv0FB94NcOHdCCcuDajgsoAqLglgcDqAxakABV4OUOGls2A6PgpQ4vB9YMXfBCzZCax4xEoWsZRGrOURD5OYp9ln5wIilVktXVSrLAAAAABJRU5ErkJggg==';
