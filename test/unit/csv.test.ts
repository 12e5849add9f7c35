import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../../src/services/csv';

describe('when a report cell is written as CSV', () => {
  it.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1+1', "'+1+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\r=1', `"'\r=1"`],
  ])('then a cell starting like a formula (%j) gets a leading apostrophe', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it.each([
    ['Sri Rama', 'Sri Rama'],
    ['a=b', 'a=b'],
    ['x-1', 'x-1'],
    ["'quoted", "'quoted"],
  ])('then an ordinary value (%j) is left as it is', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('then commas, quotes and line breaks are quoted the RFC 4180 way', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('then null and undefined are empty, numbers are text, and lists are joined with |', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(['kalyani', 'todi'])).toBe('kalyani|todi');
    expect(csvCell(['=evil', 'todi'])).toBe("'=evil|todi");
  });

  it('then a line joins its cells with commas and ends with CRLF', () => {
    expect(csvLine([1, '=x', null, 'a,b'])).toBe(`1,'=x,,"a,b"\r\n`);
  });
});
