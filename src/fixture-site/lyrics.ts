/**
 * Words and labels the fixture site writes lyrics with, in the six scripts the three blogs publish.
 * Each word exists in every script (the same word, transliterated the way the blogs do it: Harvard-
 * Kyoto capitals in Latin, pronunciation digits inside Tamil words), so one drawn lyric can be
 * written out per script and still be the same composition.
 */
import type { SectionType } from '../scraping/types';

export const INDIC_SCRIPTS = ['devanagari', 'telugu', 'tamil', 'kannada', 'malayalam'] as const;
export type IndicScript = (typeof INDIC_SCRIPTS)[number];
export type FixtureScript = 'latin' | IndicScript;

/** [latin, devanagari, telugu, tamil, kannada, malayalam] */
type Word = readonly [string, string, string, string, string, string];

const WORDS: readonly Word[] = [
  ['SrI', 'श्री', 'శ్రీ', 'ஸ்ரீ', 'ಶ್ರೀ', 'ശ്രീ'],
  ['rAma', 'राम', 'రామ', 'ராம', 'ರಾಮ', 'രാമ'],
  ['nIvE', 'नीवे', 'నీవే', 'நீவே', 'ನೀವೇ', 'നീവേ'],
  ['gati', 'गति', 'గతి', 'க3தி', 'ಗತಿ', 'ഗതി'],
  ['sadA', 'सदा', 'సదా', 'ஸதா3', 'ಸದಾ', 'സദാ'],
  ['pAhi', 'पाहि', 'పాహి', 'பாஹி', 'ಪಾಹಿ', 'പാഹി'],
  ['mAM', 'मां', 'మాం', 'மாம்', 'ಮಾಂ', 'മാം'],
  ['karuNA', 'करुणा', 'కరుణా', 'கருணா', 'ಕರುಣಾ', 'കരുണാ'],
  ['sAgara', 'सागर', 'సాగర', 'ஸாக3ர', 'ಸಾಗರ', 'സാഗര'],
  ['bhaja', 'भज', 'భజ', 'ப4ஜ', 'ಭಜ', 'ഭജ'],
  ['manasA', 'मनसा', 'మనసా', 'மனஸா', 'ಮನಸಾ', 'മനസാ'],
  ['hari', 'हरि', 'హరి', 'ஹரி', 'ಹರಿ', 'ഹരി'],
  ['vara', 'वर', 'వర', 'வர', 'ವರ', 'വര'],
  ['dAyaka', 'दायक', 'దాయక', 'தா3யக', 'ದಾಯಕ', 'ദായക'],
  ['caraNa', 'चरण', 'చరణ', 'சரண', 'ಚರಣ', 'ചരണ'],
  ['kamala', 'कमल', 'కమల', 'கமல', 'ಕಮಲ', 'കമല'],
  ['nata', 'नत', 'నత', 'நத', 'ನತ', 'നത'],
  ['jana', 'जन', 'జన', 'ஜன', 'ಜನ', 'ജന'],
  ['pAlaka', 'पालक', 'పాలక', 'பாலக', 'ಪಾಲಕ', 'പാലക'],
  ['Subha', 'शुभ', 'శుభ', 'ஸு1ப4', 'ಶುಭ', 'ശുഭ'],
  ['nAma', 'नाम', 'నామ', 'நாம', 'ನಾಮ', 'നാമ'],
  ['dEva', 'देव', 'దేవ', 'தே3வ', 'ದೇವ', 'ദേവ'],
  ['bhakta', 'भक्त', 'భక్త', 'ப4க்த', 'ಭಕ್ತ', 'ഭക്ത'],
  ['pOshaka', 'पोषक', 'పోషక', 'போஷக', 'ಪೋಷಕ', 'പോഷക'],
];

const COLUMN: Record<FixtureScript, number> = { latin: 0, devanagari: 1, telugu: 2, tamil: 3, kannada: 4, malayalam: 5 };

export const WORD_COUNT = WORDS.length;

export function word(index: number, script: FixtureScript): string {
  return (WORDS[index % WORDS.length] as Word)[COLUMN[script]] as string;
}

/** The heading that opens a script's block on the page. */
export const SCRIPT_HEADING: Record<IndicScript, string> = {
  devanagari: 'Devanagari',
  telugu: 'Telugu',
  tamil: 'Tamil',
  kannada: 'Kannada',
  malayalam: 'Malayalam',
};

/** The letter legends the blogs print at the top of a script's block (Devanagari, Tamil). */
export const SCRIPT_LEGEND: Partial<Record<IndicScript, readonly string[]>> = {
  devanagari: [
    'ऎ,कॆ,चॆ.. - e,ke,ce..(short);',
    'ए,के,चे.. - E,kE,cE..(long);',
    'ऐ,कै,चै.. - ai,kai,cai..;',
    'ऒ,कॊ,चॊ.. - o,ko,co..(short);',
    'ओ,को,चो.. - O,kO,cO..(long);',
    'औ,कौ,चौ.. -au,kau,cau..;',
  ],
  tamil: ['க,ச,ட,த,ப - 2-ख छ ठ थ फ;   3-ग ड द ब;  4-घ झ ढ ध भ', '(ச3 - ஜ)', 'ஸ1 श - शिव - சிவன்', 'ரு2 ऋ - कृप - கிருபை'],
};

/** `प.`, `అ.`, `ச1.`: the abbreviations thyagaraja-vaibhavam and guru-guha put before a lyric line. */
export const ABBREVIATION: Record<'pallavi' | 'anupallavi' | 'caranam', Record<IndicScript, string>> = {
  pallavi: { devanagari: 'प', telugu: 'ప', tamil: 'ப', kannada: 'ಪ', malayalam: 'പ' },
  anupallavi: { devanagari: 'अ', telugu: 'అ', tamil: 'அ', kannada: 'ಅ', malayalam: 'അ' },
  caranam: { devanagari: 'च', telugu: 'చ', tamil: 'ச', kannada: 'ಚ', malayalam: 'ച' },
};

/** Full labels on a line of their own (syamakrishnavaibhavam; samashTi caraNam and madhyama kAla). */
export const FULL_LABEL: Partial<Record<SectionType, Record<FixtureScript, string>>> = {
  pallavi: { latin: 'pallavi', devanagari: 'पल्लवि', telugu: 'పల్లవి', tamil: 'பல்லவி', kannada: 'ಪಲ್ಲವಿ', malayalam: 'പല്ലവി' },
  anupallavi: { latin: 'anupallavi', devanagari: 'अनुपल्लवि', telugu: 'అనుపల్లవి', tamil: 'அனுபல்லவி', kannada: 'ಅನುಪಲ್ಲವಿ', malayalam: 'അനുപല്ലവി' },
  caranam: { latin: 'caraNam', devanagari: 'चरणम्', telugu: 'చరణం', tamil: 'சரணம்', kannada: 'ಚರಣಂ', malayalam: 'ചരണം' },
  samashti_caranam: {
    latin: 'samashTi caraNam',
    devanagari: 'समष्टि चरणम्',
    telugu: 'సమష్టి చరణం',
    tamil: 'ஸமஷ்டி சரணம்',
    kannada: 'ಸಮಷ್ಟಿ ಚರಣಂ',
    malayalam: 'സമഷ്ടി ചരണം',
  },
  madhyama_kala: {
    latin: '(madhyama kAla sAhityam)',
    devanagari: '(मध्यम काल साहित्यम्)',
    telugu: '(మధ్యమ కాల సాహిత్యం)',
    tamil: '(மத்4யம கால ஸாஹித்யம்)',
    kannada: '(ಮಧ್ಯಮ ಕಾಲ ಸಾಹಿತ್ಯಂ)',
    malayalam: '(മധ്യമ കാല സാഹിത്യം)',
  },
  svara_sahitya: {
    latin: 'svara sAhitya',
    devanagari: 'स्वर साहित्य',
    telugu: 'స్వర సాహిత్య',
    tamil: 'ஸ்வர ஸாஹித்ய',
    kannada: 'ಸ್ವರ ಸಾಹಿತ್ಯ',
    malayalam: 'സ്വര സാഹിത്യ',
  },
};

/** Prose in a script, written after a lyric (a Tamil gist, a closing note): never lyric. */
export const SCRIPT_PROSE: Record<IndicScript, readonly string[]> = {
  devanagari: ['हे प्रभो! सदा मेरी रक्षा करो।', 'तुम्हारे चरणों में ही मेरी शरण है।'],
  telugu: ['ఓ ప్రభూ! ఎల్లప్పుడూ నన్ను కాపాడుము.', 'నీ పాదములే నాకు శరణు.'],
  tamil: ['இறைவா! எவ்வமயமும் என்னைக் காப்பாய்.', 'உனது திருவடியே புகல்.'],
  kannada: ['ಓ ಪ್ರಭುವೇ! ಸದಾ ನನ್ನನ್ನು ಕಾಪಾಡು.', 'ನಿನ್ನ ಪಾದಗಳೇ ನನಗೆ ಶರಣು.'],
  malayalam: ['ഹേ പ്രഭോ! എപ്പോഴും എന്നെ രക്ഷിക്കണേ.', 'നിന്റെ പാദങ്ങളാണ് എന്റെ ശരണം.'],
};
