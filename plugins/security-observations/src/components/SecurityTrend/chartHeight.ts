/** The trend chart's height, kept while its code loads. */
export const CHART_HEIGHT = 200;
