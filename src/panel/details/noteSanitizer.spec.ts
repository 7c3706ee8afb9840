import { Sanitizer } from '@jupyterlab/apputils';

import { NoteSanitizer } from './noteSanitizer';

describe('NoteSanitizer', () => {
  const sanitizer = new NoteSanitizer(new Sanitizer());

  it('keeps text and formatting', () => {
    expect(sanitizer.sanitize('<p><strong>good</strong> run</p>')).toBe(
      '<p><strong>good</strong> run</p>'
    );
  });

  it('replaces images and media by their alt text, so nothing is fetched', () => {
    const html = sanitizer.sanitize(
      '<p>a <img src="http://127.0.0.1:9/pixel.png" alt="pixel"> b ' +
        '<img src="/hostile/img.png" onerror="x()"><video src="/v.mp4"></video></p>'
    );
    expect(html).toBe('<p>a pixel b </p>');
  });

  it('still drops scripts and handlers (the wrapped sanitizer)', () => {
    expect(
      sanitizer.sanitize('<b onclick="x()">b</b><script>x()</script>')
    ).toBe('<b>b</b>');
  });
});
