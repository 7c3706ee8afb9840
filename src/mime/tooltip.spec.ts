import { TextTooltip } from './tooltip';

describe('TextTooltip', () => {
  const event = new MouseEvent('mousemove', { clientX: 10, clientY: 20 });

  afterEach(() => document.body.replaceChildren());

  it('writes keys and values as text, never as HTML or images', () => {
    const tooltip = new TextTooltip();
    tooltip.show(event, {
      image: 'https://evil.example/track.png',
      '<b>key</b>': '<img src=x onerror=alert(1)>',
      step: 3
    });
    const node = document.querySelector('.jp-RunsChart-tooltip') as HTMLElement;
    expect(node.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(node.textContent).toContain('https://evil.example/track.png');
    expect(document.querySelectorAll('img, b, h2')).toHaveLength(0);
    expect(node.style.left).toBe('22px');
    tooltip.dispose();
    expect(document.querySelector('.jp-RunsChart-tooltip')).toBeNull();
  });

  it('hides on an empty value', () => {
    const tooltip = new TextTooltip();
    tooltip.show(event, 'x');
    tooltip.show(event, null);
    expect(document.querySelector('.jp-RunsChart-tooltip')).toBeNull();
  });
});
