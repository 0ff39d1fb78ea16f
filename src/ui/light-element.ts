// The base of every patternflow element. Light DOM, not shadow roots: the page's stylesheet
// (page.css, with each page's own beside it) and uPlot's global stylesheet style the elements'
// insides; shadow roots would make each element adopt both sheets to look the same.
import { LitElement } from 'lit';

export class LightElement extends LitElement {
  protected createRenderRoot(): HTMLElement {
    return this;
  }
}
