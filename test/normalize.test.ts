import { describe, expect, it } from 'vitest';
import { foldArabic } from '../src/normalize/arabic.js';
import { arabiziView } from '../src/normalize/arabizi.js';
import { lowerCase } from '../src/normalize/case.js';
import { foldConfusables } from '../src/normalize/confusables.js';
import { foldHausaHooks } from '../src/normalize/hausa.js';
import { decodeLeetspeak } from '../src/normalize/leetspeak.js';
import { fromString, originalSpan, type MappedText } from '../src/normalize/mapped-text.js';
import { normalize, normalizeTerm, normalizeViews } from '../src/normalize/pipeline.js';
import { joinSeparatedLetters, splitHashtagCamelCase } from '../src/normalize/separators.js';
import { nfkcStripInvisibles } from '../src/normalize/unicode.js';

/** Every unit of the output maps inside the original, in order, and a whole-text span maps to the whole original. */
function expectConsistent(m: MappedText, original: string): void {
  expect(m.starts.length).toBe(m.text.length);
  for (let i = 0; i < m.text.length; i++) {
    expect(m.starts[i]).toBeGreaterThanOrEqual(0);
    expect(m.ends[i]).toBeLessThanOrEqual(original.length);
    expect(m.starts[i]).toBeLessThanOrEqual(m.ends[i]);
    if (i > 0) expect(m.starts[i]).toBeGreaterThanOrEqual(m.starts[i - 1]);
  }
}

/** Finds `needle` in the normalised text and returns the original substring it came from. */
function back(original: string, m: MappedText, needle: string): string {
  const i = m.text.indexOf(needle);
  expect(i, `"${needle}" in "${m.text}"`).toBeGreaterThanOrEqual(0);
  const [s, e] = originalSpan(m, i, i + needle.length);
  return original.slice(s, e);
}

describe('unicode: NFKC and invisibles', () => {
  it('removes zero-width and bidi controls and maps offsets back across them', () => {
    const s = 'da\u200Besh \u202Eok\u202C';
    const m = nfkcStripInvisibles(fromString(s));
    expect(m.text).toBe('daesh ok');
    expectConsistent(m, s);
    expect(back(s, m, 'daesh')).toBe('da\u200Besh');
  });
  it('applies NFKC to full-width and mathematical letters and presentation forms', () => {
    const s = 'ＩＳＩＳ 𝐃𝐚𝐞𝐬𝐡 ﻻ';
    const m = nfkcStripInvisibles(fromString(s));
    expect(m.text).toBe('ISIS Daesh لا');
    expect(back(s, m, 'Daesh')).toBe('𝐃𝐚𝐞𝐬𝐡');
    expect(back(s, m, 'لا')).toBe('ﻻ');
  });
});

describe('arabic folding', () => {
  it('removes tatweel and harakat and folds letter variants', () => {
    const s = 'الدَّوْلَــــة الإسلاميّة';
    const m = foldArabic(fromString(s));
    expect(m.text).toBe('الدوله الاسلاميه');
    expectConsistent(m, s);
    expect(back(s, m, 'الدوله')).toBe('الدَّوْلَــــة');
  });
  it('folds Persian/Urdu kaf and yeh, alef maqsura and Arabic-Indic digits', () => {
    expect(foldArabic(fromString('کتابی مصطفى ٢٠١٥ ۱۴')).text).toBe('كتابي مصطفي 2015 14');
  });
  it('recovers undotted letter forms', () => {
    expect(foldArabic(fromString('داعٮ ٯ ڡ')).text).toBe('داعب ق ف');
  });
});

describe('Hausa hooked letters', () => {
  it('reads the hooked and the keyboard spelling as one word, with offsets into the original', () => {
    const hooked = normalize('Ƙungiyar ƳAN ɗan ɓarna');
    expect(hooked.text).toBe(normalize("Kungiyar 'YAN dan barna").text);
    expect(hooked.text).toBe("kungiyar 'yan dan barna");
    // 'y is two characters from one: both map back to the one hooked letter
    expect(hooked.toOriginal(9, 13)).toEqual([9, 12]);
  });

  it('leaves text without hooks as it is, and folds the modifier apostrophe', () => {
    const plain = fromString('barka da sallah');
    expect(foldHausaHooks(plain)).toBe(plain);
    expect(foldHausaHooks(fromString('ʼyan uwa')).text).toBe("'yan uwa");
  });

  it('lets a lexicon term written one way match text written the other', () => {
    expect(normalizeTerm('ƙungiya', 'base')).toBe(normalizeTerm('kungiya', 'base'));
  });
});

describe('confusables', () => {
  it('folds Cyrillic look-alikes inside a Latin word', () => {
    const s = 'ISIЅ dаesh';
    const m = foldConfusables(lowerCase(fromString(s)));
    expect(m.text).toBe('isis daesh');
    expect(back(s, m, 'daesh')).toBe('dаesh');
  });
  it('keeps real Russian words', () => {
    expect(foldConfusables(lowerCase(fromString('Исламское государство'))).text).toBe('исламское государство');
  });
});

describe('leetspeak', () => {
  it('decodes digits and symbols inside words', () => {
    const s = '1S1S d@wla j1h4d';
    const m = decodeLeetspeak(lowerCase(fromString(s)));
    expect(m.text).toBe('isis dawla jihad');
    expect(back(s, m, 'dawla')).toBe('d@wla');
  });
  it('leaves numbers, handles, hex wallets and trailing punctuation alone', () => {
    expect(decodeLeetspeak(fromString('2024 @user1 0xdead10 wow!')).text).toBe('2024 @user1 0xdead10 wow!');
  });
});

describe('separators', () => {
  it('joins dotted and spaced letters', () => {
    const s = 'D.a.e.s.h and d a e s h and د ا ع ش';
    const m = joinSeparatedLetters(fromString(s));
    expect(m.text).toBe('Daesh and daesh and داعش');
    expectConsistent(m, s);
    expect(back(s, m, 'daesh')).toBe('d a e s h');
  });
  it('turns underscores into spaces and splits CamelCase hashtags', () => {
    expect(joinSeparatedLetters(fromString('#الدولة_الإسلامية')).text).toBe('#الدولة الإسلامية');
    expect(splitHashtagCamelCase(fromString('#RemainingAndExpanding now')).text).toBe('#Remaining And Expanding now');
  });
});

describe('arabizi view', () => {
  it('maps Arabizi digits inside Latin words', () => {
    expect(arabiziView(fromString('5ilafa 3ala 7abibi 2020')).text).toBe('khilafa aala habibi 2020');
  });
});

describe('pipeline', () => {
  it('keeps offsets into the original through every step', () => {
    const s = 'Join  ＩＳＩЅ\u200B now: الدولـــة الإسلامية ٢٠٢٤ #BaqiyaWaTatamaddad';
    const n = normalize(s);
    for (const needle of ['isis', 'الدوله الاسلاميه', '2024', 'baqiya wa tatamaddad']) {
      const i = n.text.indexOf(needle);
      expect(i, needle).toBeGreaterThanOrEqual(0);
      const [a, b] = n.toOriginal(i, i + needle.length);
      expect(normalize(s.slice(a, b)).text.includes(needle.split(' ')[0])).toBe(true);
    }
    const i = n.text.indexOf('isis');
    expect(s.slice(...n.toOriginal(i, i + 4))).toBe('ＩＳＩЅ');
  });
  it('language-ID text is folded lightly: Persian and Urdu letters survive', () => {
    const v = normalizeViews('یہ کتاب\u200C ہے');
    expect(v.light.text).toBe('یہ کتاب ہے');
    expect(v.base.text).toBe('يه كتاب هي');
  });
  it('builds the Arabizi view only when needed, and the rasm view only for undotted text', () => {
    expect(normalizeViews('hello world').arabizi).toBeUndefined();
    expect(normalizeViews('5ilafa').arabizi?.text).toBe('khilafa');
    expect(normalizeViews('الدولة').rasm).toBeUndefined();
    expect(normalizeViews('الدوله الاسلامٮه').rasm).toBeDefined();
  });
  it('normalises lexicon terms exactly like text', () => {
    expect(normalizeTerm('Dawlat al-Islām', 'base')).toBe(normalize('Dawlat al-Islām').text);
    expect(normalizeTerm('5ilafa', 'arabizi')).toBe('khilafa');
  });
  it('is idempotent on its own output', () => {
    for (const s of ['1S1S d@wla', 'الدَّوْلَــــة', 'ISIЅ', 'd a e s h']) {
      const once = normalize(s).text;
      expect(normalize(once).text).toBe(once);
    }
  });
});
