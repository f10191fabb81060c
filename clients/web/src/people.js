// The fictional people of the demo partnership (Eastbrook CSP), offered by
// the development sign-in page. Their agencies and roles are the ones the
// demo data in caseworkd uses; none of them is a real person.
'use strict';

const DEMO_PEOPLE = [
  { id: 'dana', name: 'Dana Whitfield', user: 'dana-whitfield', agency: 'eastbrook-council', role: 'caseworker',
    title: 'ASB caseworker, Eastbrook Council' },
  { id: 'morgan', name: 'Morgan Hale', user: 'morgan-hale', agency: 'eastbrook-council', role: 'spoc',
    title: 'Case review single point of contact, Eastbrook Council' },
  { id: 'jordan', name: 'Jordan Reeve', user: 'jordan-reeve', agency: 'shire-police', role: 'panel_chair',
    title: 'JAG chair, Shire Police' },
  { id: 'casey', name: 'Casey Lund', user: 'casey-lund', agency: 'eastbrook-council', role: 'partnership_chair',
    title: 'Chair of the partnership, Eastbrook Council' },
  { id: 'ali', name: 'Ali Brennan', user: 'ali-brennan', agency: 'shire-police', role: 'caseworker',
    title: 'Neighbourhood officer, Shire Police' },
];

// Role names as the contract spells them, and as people read them.
const ROLE_LABELS = {
  caseworker: 'Caseworker',
  spoc: 'Single point of contact',
  panel_chair: 'Panel chair',
  independent_chair: 'Independent chair',
  partnership_chair: 'Partnership chair',
  auditor: 'Auditor',
  integration: 'Integration',
  admin: 'Administrator',
};

module.exports = { DEMO_PEOPLE, ROLE_LABELS };
