"""Table-driven tests of the linking rules, through the real pipeline on made-up sentences.

Each case is a short report in the genre's language; the expected rows are exact.
"""

from __future__ import annotations

import pytest

from tests.conftest import extract_text

HEAD = "Sweden Country Drug Report 2030\n\n"


def fact_rows(text: str) -> list[tuple]:
    ext = extract_text(HEAD + text)
    return [(f.country, f.indicator, f.year, f.value, f.qualifier, f.value_high, f.period_start)
            for f in ext.facts]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In 2017, 16 000 clients were in opioid substitution treatment.",
         [("SE", "ost.clients", 2017, 16000, "exact", None, None)]),
        ("An estimated 8 900 people were receiving OST in 2018.",
         [("SE", "ost.clients", 2018, 8900, "approx", None, None)]),
        ("In 2027, drug-induced deaths totalled 112.",
         [("SE", "deaths.drug_induced", 2027, 112, "exact", None, None)]),
        ("In 2027, approximately 38 000 clients received specialised treatment.",
         [("SE", "treatment.clients", 2027, 38000, "approx", None, None)]),
        ("There were 315 drug-induced deaths in 2017.",
         [("SE", "deaths.drug_induced", 2017, 315, "exact", None, None)]),
        ("Some 1 500 naloxone kits were distributed in 2018.",
         [("SE", "naloxone.kits", 2018, 1500, "approx", None, None)]),
        ("A total of 4 200 people entered drug treatment in 2017.",
         [("SE", "treatment.entrants", 2017, 4200, "exact", None, None)]),
        ("In 2018, 10 drug consumption rooms were operating in 6 cities.",
         [("SE", "dcr.facilities", 2018, 10, "exact", None, None),
          ("SE", "dcr.cities", 2018, 6, "exact", None, None)]),
        ("The number of NSPs decreased from 26 in 2013 to 12 in 2017.",
         [("SE", "nsp.sites", 2013, 26, "exact", None, None),
          ("SE", "nsp.sites", 2017, 12, "exact", None, None)]),
        ("In 2017, OST was provided to about 2 800 patients in 26 programmes.",
         [("SE", "ost.clients", 2017, 2800, "approx", None, None),
          ("SE", "ost.facilities", 2017, 26, "exact", None, None)]),
        ("In England, there were 2 000 NSP sites in 2016.",
         [("GB", "nsp.sites", 2016, 2000, "exact", None, None)]),
        ("Needle and syringe programmes exist in 16 of the 21 regions.", []),
        # Another country's figure, and the next one elided after it.
        ("By comparison, Finland reported 91 drug-induced deaths in 2029 and Norway 85 in "
         "the same year.",
         [("FI", "deaths.drug_induced", 2029, 91, "exact", None, None),
          ("NO", "deaths.drug_induced", 2029, 85, "exact", None, None)]),
        ("Across Europe, an estimated 510 000 people received opioid substitution treatment "
         "in 2029.", [("EU", "ost.clients", 2029, 510000, "approx", None, None)]),
        ("Harm reduction in Eastern Europe relies on 40 needle and syringe programmes.",
         [("SE", "nsp.sites", None, 40, "exact", None, None)]),
        # "the same year": the year of the previous statement, not of its comparison.
        ("Drug-induced deaths fell to 110 in 2026, compared with 170 in 2022. In the same "
         "year, 38 new HIV diagnoses were attributed to injecting drug use.",
         [("SE", "deaths.drug_induced", 2026, 110, "exact", None, None),
          ("SE", "deaths.drug_induced", 2022, 170, "exact", None, None),
          ("SE", "hiv.diagnoses_injecting", 2026, 38, "exact", None, None)]),
        ("Drug-induced deaths rose from 11 in 2025 to 37 in 2028 and numbered 30 in 2029.",
         [("SE", "deaths.drug_induced", 2025, 11, "exact", None, None),
          ("SE", "deaths.drug_induced", 2028, 37, "exact", None, None),
          ("SE", "deaths.drug_induced", 2029, 30, "exact", None, None)]),
        ("Drug-induced deaths: 17 (2029)",
         [("SE", "deaths.drug_induced", 2029, 17, "exact", None, None)]),
        # People a service reached are clients, not a population estimate.
        ("Needle and syringe programmes are run by NGOs. In 2028 the remaining programmes "
         "reached around 3 900 people who inject drugs, out of an estimated 6 200.",
         [("SE", "nsp.clients", 2028, 3900, "approx", None, None)]),
        ("Opioid substitution treatment is delivered by 19 centres, and a total of 1 920 "
         "patients were receiving it in 2029.",
         [("SE", "ost.facilities", None, 19, "exact", None, None),
          ("SE", "ost.clients", 2029, 1920, "exact", None, None)]),
        ("According to the state injury centre, 2,135 residents died of a drug overdose in "
         "2029, a 5% decrease from 2,250 in 2028.",
         [("SE", "deaths.drug_induced", 2029, 2135, "exact", None, None),
          ("SE", "deaths.drug_induced", 2028, 2250, "exact", None, None)]),
        ('"In 2026, 36 NSP sites distributed 2.1 million syringes."',
         [("SE", "nsp.sites", 2026, 36, "exact", None, None),
          ("SE", "nsp.syringes_distributed", 2026, 2100000, "exact", None, None)]),
        ("In calendar year 2029, syringe services programs served more than 18,400 unique "
         "participants.", [("SE", "nsp.clients", 2029, 18400, "more_than", None, None)]),
        ("At their peak in 2024, four NSP sites distributed some 240 000 syringes.",
         [("SE", "nsp.sites", 2024, 4, "exact", None, None),
          ("SE", "nsp.syringes_distributed", 2024, 240000, "approx", None, None)]),
        ("The region will open two more drug consumption rooms in 2031, bringing the number "
         "of rooms to five.", []),
        ("German centres treated around 1 100 patients in heroin-assisted treatment in 2029.",
         [("DE", "hat.clients", 2029, 1100, "approx", None, None)]),
        ("3.4 Needle and syringe programmes", []),
        # A citation with a page number is no year; "the same year" reaches back past it.
        ("Syringe programmes distributed 1 276 000 syringes in 2029. Almost 64% went to "
         "pharmacies (NRS, 2030, p. 11). In the same year, 3 060 clients used the programmes.",
         [("SE", "nsp.syringes_distributed", 2029, 1276000, "exact", None, None),
          ("SE", "nsp.clients", 2029, 3060, "exact", None, None)]),
        ("Needle and syringe programmes are run by NGOs. The fixed sites and outreach teams "
         "were in contact with about 1 050 clients in 2029, to whom up to 160 000 syringes "
         "were handed out.",
         [("SE", "nsp.clients", 2029, 1050, "approx", None, None),
          ("SE", "nsp.syringes_distributed", 2029, 160000, "up_to", None, None)]),
        ("A take-home naloxone pilot ran from 2025 to 2027, during which some 1 200 kits "
         "were handed out.", [("SE", "naloxone.kits", 2027, 1200, "approx", None, 2025)]),
        ("Only two syringe exchange points, in Stockholm and Malmö, remained open in 2026.",
         [("SE", "nsp.sites", 2026, 2, "exact", None, None)]),
        ("According to the 2027/28 round of the survey, there are approximately 2 400 people "
         "who inject drugs in the country.",
         [("SE", "pwid.estimate", 2028, 2400, "approx", None, None)]),
        ("Sweden has one of the largest populations of people who inject drugs in Europe, "
         "estimated at around 350 000 in 2027.",
         [("SE", "pwid.estimate", 2027, 350000, "approx", None, None)]),
        ("Nearly 37,500 naloxone kits were handed out in 2029 alone, up from 29,100 the "
         "year before.", [("SE", "naloxone.kits", 2029, 37500, "approx", None, None),
                          ("SE", "naloxone.kits", 2028, 29100, "exact", None, None)]),
        ("Authorities registered 1,276 drug misuse deaths in 2029, 42 fewer than in 2028 "
         "(1,318).", [("SE", "deaths.drug_induced", 2029, 1276, "exact", None, None),
                      ("SE", "deaths.drug_induced", 2028, 1318, "exact", None, None)]),
        ("Needle and syringe programmes continued at 253 outlets, 168 of them community "
         "pharmacies.", [("SE", "nsp.sites", None, 253, "exact", None, None),
                         ("SE", "nsp.pharmacies", None, 168, "exact", None, None)]),
        ("Drug-induced deaths remain high. After a peak of 170 deaths in 2022, the number "
         "fell to 110 in 2026.", [("SE", "deaths.drug_induced", 2022, 170, "exact", None, None),
                                  ("SE", "deaths.drug_induced", 2026, 110, "exact", None, None)]),
        ("In 2029, 44 of the 232 newly reported HIV cases were among people who inject drugs.",
         [("SE", "hiv.diagnoses_injecting", 2029, 44, "exact", None, None)]),
        ("Drug treatment was widely used in 2028. In the same year, 14 300 persons were in drug "
         "treatment, and approximately 4 800 of them entered treatment for the first time.",
         [("SE", "treatment.clients", 2028, 14300, "exact", None, None),
          ("SE", "treatment.entrants", 2028, 4800, "approx", None, None)]),
        ("Whereas in 2022 needle and syringe programmes operated in 27 cities, in 2027 only 10 "
         "programmes remained active; they distributed approximately 150 000 syringes.",
         [("SE", "nsp.sites", 2027, 10, "exact", None, None),
          ("SE", "nsp.syringes_distributed", 2027, 150000, "approx", None, None)]),
        ("The number of high-risk opioid users was last estimated in 2024, at between 10 300 "
         "and 15 000.", [("SE", "hrou.estimate", 2024, 10300, "range", 15000, None)]),
        ("OST coverage is among the highest in Europe, where approximately 628 000 people "
         "received substitution treatment in 2025.",
         [("EU", "ost.clients", 2025, 628000, "approx", None, None)]),
        ("In 2026, two of the largest needle and syringe programmes closed.", []),
        ("Key figures 2029\n\nSyringes distributed through NSPs: 1 875 000 (2028: 2 012 400)"
         "\n\nNSP clients: approx. 5 600\n\nEstimated number of PWID (2025): 8 600",
         [("SE", "nsp.syringes_distributed", 2029, 1875000, "exact", None, None),
          ("SE", "nsp.syringes_distributed", 2028, 2012400, "exact", None, None),
          ("SE", "nsp.clients", 2029, 5600, "approx", None, None),
          ("SE", "pwid.estimate", 2025, 8600, "exact", None, None)]),
        ("Across the European Union, some 1.3 million people were estimated to be high-risk "
         "opioid users in 2027.", [("EU", "hrou.estimate", 2027, 1300000, "approx", None, None)]),
        ("On 31 December 2027, 10 316 clients were receiving opioid substitution treatment.",
         [("SE", "ost.clients", 2027, 10316, "exact", None, None)]),
        ("In 2027, 10 274 cases entered treatment for problem drug use, and 3 300 started a new "
         "treatment episode.", [("SE", "treatment.entrants", 2027, 10274, "exact", None, None),
                                ("SE", "treatment.entrants", 2027, 3300, "exact", None, None)]),
        ("In 2026, 13 OST centres treated around 600 clients, a level of coverage among the "
         "lowest in the EU.", [("SE", "ost.facilities", 2026, 13, "exact", None, None),
                               ("SE", "ost.clients", 2026, 600, "approx", None, None)]),
        ("By comparison, an estimated 650 000 people received OST across the European Union "
         "in 2027.", [("EU", "ost.clients", 2027, 650000, "approx", None, None)]),
        ("The waiting list for OST, which had exceeded 5 000 people in 2022, has since been "
         "eliminated.", []),
        ("Local councils withdrew approval for three county syringe programmes in 2028, and "
         "those programmes have closed.", []),
        ("Needle and syringe programmes were set up by NGOs. After 2026 the mobile units "
         "stopped operating. In 2028, only two programmes remained active, reaching 1 300 "
         "clients.", [("SE", "nsp.sites", 2028, 2, "exact", None, None),
                      ("SE", "nsp.clients", 2028, 1300, "exact", None, None)]),
        ("In 2021 and 2022, an HIV outbreak among people who inject drugs led to 266 and 484 "
         "new diagnoses attributed to injecting, respectively.",
         [("SE", "hiv.diagnoses_injecting", 2021, 266, "exact", None, None),
          ("SE", "hiv.diagnoses_injecting", 2022, 484, "exact", None, None)]),
        ("To eliminate the long waiting lists, the number of OST units was increased from 29 "
         "in 2020 to 63 in 2026.", [("SE", "ost.facilities", 2020, 29, "exact", None, None),
                                    ("SE", "ost.facilities", 2026, 63, "exact", None, None)]),
        ("Treatment centres exist in most provinces. In 2028 there were 71 such centres in "
         "43 provinces.", [("SE", "treatment.facilities", 2028, 71, "exact", None, None)]),
        ("Around 1 700 individuals were admitted to drug treatment in 2029.",
         [("SE", "treatment.entrants", 2029, 1700, "approx", None, None)]),
        ("Needle and syringe programmes are the main response. In 2029, 15 fixed sites "
         "operated in 11 cities, and four mobile units served smaller towns.",
         [("SE", "nsp.sites", 2029, 15, "exact", None, None)]),
        ("The number of needle and syringe programmes fell from 16 in 2008 to 9 in 2017.",
         [("SE", "nsp.sites", 2008, 16, "exact", None, None),
          ("SE", "nsp.sites", 2017, 9, "exact", None, None)]),
        ("In 2027, drug consumption rooms opened in two cities. That year, 300 clients "
         "registered at these facilities.",
         [("SE", "dcr.cities", 2027, 2, "exact", None, None),
          ("SE", "dcr.clients", 2027, 300, "exact", None, None)]),
        ("The first drug consumption room opened in 2005 and now serves 400 clients.",
         [("SE", "dcr.clients", None, 400, "exact", None, None)]),
        ("In 2026, 2 345 people received drug treatment, of whom 1 234 received OST.",
         [("SE", "treatment.clients", 2026, 2345, "exact", None, None),
          ("SE", "ost.clients", 2026, 1234, "exact", None, None)]),
        ("The number of PWID was estimated at 7 100 (range 5 900-9 800) in 2026.",
         [("SE", "pwid.estimate", 2026, 7100, "exact", None, None)]),
        ("Drug-induced deaths fell from 140 in 2020 to 52 in 2026.",
         [("SE", "deaths.drug_induced", 2020, 140, "exact", None, None),
          ("SE", "deaths.drug_induced", 2026, 52, "exact", None, None)]),
        ("OST was provided to 6 500 patients in 2026, compared with around 400 in 1999.",
         [("SE", "ost.clients", 2026, 6500, "exact", None, None),
          ("SE", "ost.clients", 1999, 400, "approx", None, None)]),
        ("In 2026, 3.1 million syringes were distributed, compared with 2.2 million in 2020. "
         "In the capital alone, 1.4 million syringes were handed out during the same year.",
         [("SE", "nsp.syringes_distributed", 2026, 3_100_000, "exact", None, None),
          ("SE", "nsp.syringes_distributed", 2020, 2_200_000, "exact", None, None),
          ("SE", "nsp.syringes_distributed", 2026, 1_400_000, "exact", None, None)]),
        ("In 2026, OST was provided to 900 clients by 11 public and private units.",
         [("SE", "ost.clients", 2026, 900, "exact", None, None),
          ("SE", "ost.facilities", 2026, 11, "exact", None, None)]),
        ("After the outbreak in 2011, when 120 new HIV diagnoses among PWID were reported, "
         "compared with 5 to 9 per year before, services expanded.",
         [("SE", "hiv.diagnoses_injecting", 2011, 120, "exact", None, None)]),
        ("The number of clients reached by needle and syringe programmes has remained stable "
         "at roughly 2 500 per year.",
         [("SE", "nsp.clients", None, 2500, "approx", None, None)]),
        ("A drug consumption room opened in 2009. In 2026, the two rooms registered about 900 "
         "clients.",
         [("SE", "dcr.facilities", 2026, 2, "exact", None, None),
          ("SE", "dcr.clients", 2026, 900, "approx", None, None)]),
        ("Over 2021/22 to 2027/28, some 50 000 naloxone kits were supplied.",
         [("SE", "naloxone.kits", 2028, 50000, "approx", None, 2022)]),
        ("At the end of 2027, 9 000 clients were receiving OST, of whom 3 000 were treated by "
         "general practitioners.",
         [("SE", "ost.clients", 2027, 9000, "exact", None, None),
          ("SE", "ost.clients", 2027, 3000, "exact", None, None)]),
        ("In 2027, 12 low-threshold offices and two mobile units provided NSP services.",
         [("SE", "nsp.sites", 2027, 12, "exact", None, None)]),
        ("Heroin-assisted treatment, piloted from 1994 and made regular in 1999, is offered in "
         "20 outpatient units.",
         [("SE", "hat.facilities", None, 20, "exact", None, None)]),
        ("Two state-funded OST programmes were closed in 2026.", []),
        ("A take-home naloxone programme began in 2013; by the end of 2027, more than 4 000 "
         "naloxone kits had been distributed.",
         [("SE", "naloxone.kits", 2027, 4000, "more_than", None, None)]),
        ("In 2027, 3 300 clients received OST in 80 units. Treatment is provided in 230 "
         "centres.",
         [("SE", "ost.clients", 2027, 3300, "exact", None, None),
          ("SE", "ost.facilities", 2027, 80, "exact", None, None)]),
        ("Needle and syringe programmes expanded. By 2027, 14 programmes were operating in 10 "
         "counties.",
         [("SE", "nsp.sites", 2027, 14, "exact", None, None)]),
        ("In 2027, approximately 4.3 million syringes were distributed to some 13 000 clients, "
         "up from 3.1 million in 2020.",
         [("SE", "nsp.syringes_distributed", 2027, 4_300_000, "approx", None, None),
          ("SE", "nsp.clients", 2027, 13000, "approx", None, None),
          ("SE", "nsp.syringes_distributed", 2020, 3_100_000, "exact", None, None)]),
        ("OST was provided to an estimated 3 300 clients in 2027, including around 450 treated "
         "in primary health care.",
         [("SE", "ost.clients", 2027, 3300, "approx", None, None),
          ("SE", "ost.clients", 2027, 450, "approx", None, None)]),
        ("New HIV diagnoses attributed to injecting drug use rose from 9 in 2010 to 266 in "
         "2011.",
         [("SE", "hiv.diagnoses_injecting", 2010, 9, "exact", None, None),
          ("SE", "hiv.diagnoses_injecting", 2011, 266, "exact", None, None)]),
        ("In 2027, fewer than 50 PWID were treated with direct-acting antivirals.", []),
        ("The needle and syringe programme consists of five fixed sites and three vending "
         "machines.",
         [("SE", "nsp.sites", None, 5, "exact", None, None),
          ("SE", "nsp.vending_machines", None, 3, "exact", None, None)]),
        ("Between 2001 and 2011, the number of syringes distributed rose from 1.2 million to "
         "3 million.",
         [("SE", "nsp.syringes_distributed", 2001, 1_200_000, "exact", None, None),
          ("SE", "nsp.syringes_distributed", 2011, 3_000_000, "exact", None, None)]),
        ("Approximately 40 million syringes were distributed between its launch in May 1990 "
         "and June 2010.",
         [("SE", "nsp.syringes_distributed", 2010, 40_000_000, "approx", None, 1990)]),
        ("Over the period 2010-14 drug consumption rooms supervised more than 800 000 "
         "injections.",
         [("SE", "dcr.supervised_consumptions", 2014, 800_000, "more_than", None, 2010)]),
        ("In 2009 a total of 2 345 678 syringes were issued (2008: 2 100 000).",
         [("SE", "nsp.syringes_distributed", 2009, 2_345_678, "exact", None, None),
          ("SE", "nsp.syringes_distributed", 2008, 2_100_000, "exact", None, None)]),
        ("Assuming that there are between 9 000 and 12 000 injecting drug users in Sweden, "
         "coverage is high.",
         [("SE", "pwid.estimate", None, 9000, "range", 12000, None)]),
        ("A drug consumption room opened in 2004. By 2010, a total of 1 234 clients had "
         "registered at the facility, and more than 40 000 injections were supervised "
         "during that year.",
         [("SE", "dcr.clients", 2010, 1234, "exact", None, None),
          ("SE", "dcr.supervised_consumptions", 2010, 40000, "more_than", None, None)]),
        ("Thirteen facilities for supervised drug consumption are available. In 2012, these "
         "facilities served 4 100 clients.",
         [("SE", "dcr.facilities", None, 13, "exact", None, None),
          ("SE", "dcr.clients", 2012, 4100, "exact", None, None)]),
        ("In 2016, there were 5 drug consumption rooms across 4 Danish cities.",
         [("SE", "dcr.facilities", 2016, 5, "exact", None, None),
          ("SE", "dcr.cities", 2016, 4, "exact", None, None)]),
        ("The first room opened in 1990; currently there are 12 drug consumption rooms.",
         [("SE", "dcr.facilities", None, 12, "exact", None, None)]),
        ("In the European Union, an estimated 1.3 million high-risk opioid users were reported "
         "in 2017.",
         [("EU", "hrou.estimate", 2017, 1_300_000, "approx", None, None)]),
        # Not facts: durations, samples without a counted noun, ratios, returns, ordinals
        ("Needle and syringe programmes have been available for more than 20 years.", []),
        ("For every 100 syringes given out, 90 used syringes are returned.", []),
        ("In 2020, 1.2 million syringes were returned to pharmacies.", []),
        ("Professionals from 12 regions were interviewed.", []),
        ("Treatment is provided in 230 drug treatment centres.",
         [("SE", "treatment.facilities", None, 230, "exact", None, None)]),
        ("In 2017, 500 prisoners were surveyed and 40 % reported drug use.", []),
        ("Public expenditure was estimated at EUR 150 million in 2016.", []),
        ("Nevertheless, the two last programmes are not available.", []),
        ("In 2013, Vienna recorded 123 456 contacts with clients.", []),
        ("Presentation files\n\n24 108 1500 Someone_v1.0.pdf454.01 KBDownload", []),
    ],
)
def test_facts(text: str, expected: list) -> None:
    assert fact_rows(text) == expected


def test_a_city_names_the_region_and_its_country() -> None:
    ext = extract_text(HEAD + "In Vienna, 3 000 clients were in OST in 2029. In Berlin, 500 "
                       "clients were in OST in 2029.")
    assert [(f.country, f.region, f.value) for f in ext.facts] == [
        ("AT", "Vienna", 3000), ("DE", "Berlin", 500)
    ]


def event_rows(text: str) -> list[tuple]:
    return [(e.event, e.service, e.year, e.month) for e in extract_text(HEAD + text).events]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The first OST programme started in 1997, and buprenorphine is widely used.",
         [("started", "opioid_substitution_treatment", 1997, None)]),
        ("The Misuse of Drugs (Supervised Injecting Facilities) Act 2027 allows a licensed "
         "drug consumption room to operate.",
         [("legal_basis", "drug_consumption_room", 2027, None)]),
        ("Take-home naloxone has been legally possible since 2025, but no programme has yet "
         "been implemented.", [("legal_basis", "naloxone_programme", 2025, None)]),
        ("The Act, adopted in 2026, allowed the regions to set up needle and syringe "
         "programmes.", [("legal_basis", "needle_syringe_programme", 2026, None)]),
        ("OST is not available in prisons, but a pilot is planned for 2030.",
         [("planned", "opioid_substitution_treatment", 2030, None)]),
        ("The first supervised drug consumption room operated in the capital from 2023.",
         [("started", "drug_consumption_room", 2023, None)]),
        ("OST capacity in the capital was expanded: a new methadone unit opened in September "
         "2027.", [("expanded", "opioid_substitution_treatment", 2027, 9)]),
        ("Opioid substitution treatment, available since 2018, was extended to prisons in 2028.",
         [("started", "opioid_substitution_treatment", 2018, None),
          ("expanded", "opioid_substitution_treatment", 2028, None)]),
        ("Take-home naloxone was first distributed in a pilot project in 2024. The programme "
         "was rolled out nationally in 2026 and is now offered by low-threshold services.",
         [("started", "naloxone_programme", 2024, None),
          ("expanded", "naloxone_programme", 2026, None)]),
        ("A third methadone programme is scheduled to open in 2031.",
         [("planned", "opioid_substitution_treatment", 2031, None)]),
        ("Needle and syringe programmes – since 2017",
         [("started", "needle_syringe_programme", 2017, None)]),
        ("The city examined a supervised injection facility in 2028, and its opening is "
         "planned for 2031.", [("planned", "drug_consumption_room", 2031, None)]),
        ("A take-home naloxone pilot was launched in 2028; national scale-up is planned for "
         "2029.", [("started", "naloxone_programme", 2028, None),
                   ("planned", "naloxone_programme", 2029, None)]),
        ("At the end of 2028, 214 clients were in OST, and OST has also been available in the "
         "central prison since 2026.", [("expanded", "opioid_substitution_treatment", 2026, None)]),
        ("Opioid maintenance treatment has been available nationally since 2018.",
         [("started", "opioid_substitution_treatment", 2018, None)]),
        ("Although the legal framework for drug consumption rooms has existed since 2021, the "
         "first facility only opened in April 2029.",
         [("legal_basis", "drug_consumption_room", 2021, None),
          ("started", "drug_consumption_room", 2029, 4)]),
        ("Opioid substitution treatment – methadone since 2021",
         [("started", "opioid_substitution_treatment", 2021, None)]),
        ("Since the national naloxone demonstration project in 2025, naloxone has been "
         "available on prescription.", [("started", "naloxone_programme", 2025, None)]),
        ("Two OST units operate in the capital; a third unit is scheduled to open in 2031.",
         [("planned", "opioid_substitution_treatment", 2031, None)]),
        ("Needle and syringe programmes and outreach work are run by NGOs. A fourth programme "
         "was closed in 2025.", [("ended", "needle_syringe_programme", 2025, None)]),
        ("The volunteers began distributing nasal naloxone to clients in 2029.",
         [("started", "naloxone_programme", 2029, None)]),
        ("Needle and syringe programmes started in 2022 in Uppsala and were expanded to "
         "Malmö, Lund and Umeå between 2025 and 2028.",
         [("started", "needle_syringe_programme", 2022, None),
          ("expanded", "needle_syringe_programme", 2028, None)]),
        ("Opioid substitution treatment was introduced in 2024 with a buprenorphine pilot, "
         "and methadone became available in 2028.",
         [("started", "opioid_substitution_treatment", 2024, None),
          ("expanded", "opioid_substitution_treatment", 2028, None)]),
        ("The take-home naloxone programme was made available nationally from 1 July 2029.",
         [("expanded", "naloxone_programme", 2029, 7)]),
        ("In 2027 a pharmacy needle exchange programme was added.",
         [("expanded", "needle_syringe_programme", 2027, None)]),
        ("Since 2026, the national programme has supported take-home naloxone.",
         [("started", "naloxone_programme", 2026, None)]),
        ("In Finland, 600 people received methadone in 2029, while in Norway substitution "
         "treatment was introduced only in 2026.",
         [("started", "opioid_substitution_treatment", 2026, None)]),
        ("The service treated 34 patients in heroin-assisted treatment, below its planned "
         "capacity of 60.", []),
        ("Opioid substitution treatment was introduced in 1987.",
         [("started", "opioid_substitution_treatment", 1987, None)]),
        ("The first supervised injection room opened in March 2001.",
         [("started", "drug_consumption_room", 2001, 3)]),
        ("Heroin-assisted treatment has been available since 2009.",
         [("started", "heroin_assisted_treatment", 2009, None)]),
        ("Needle and syringe programmes operated unofficially since 1985 but were only "
         "legalised in 1993.",
         [("started", "needle_syringe_programme", 1985, None),
          ("legal_basis", "needle_syringe_programme", 1993, None)]),
        ("A second drug consumption room is planned for 2019/20.",
         [("planned", "drug_consumption_room", 2020, None)]),
        ("In 2014, a further drug consumption room was opened.",
         [("expanded", "drug_consumption_room", 2014, None)]),
        ("The country has had a drug consumption room since 2005, and a second one opened "
         "in 2017.",
         [("started", "drug_consumption_room", 2005, None),
          ("expanded", "drug_consumption_room", 2017, None)]),
        ("A drug consumption room operated between 2013 and 2014 but was closed due to the "
         "lack of a legal framework.",
         [("started", "drug_consumption_room", 2013, None),
          ("ended", "drug_consumption_room", 2014, None)]),
        ("A supervised drug consumption room operated from August 2013 to September 2014.",
         [("started", "drug_consumption_room", 2013, None),
          ("ended", "drug_consumption_room", 2014, None)]),
        ("Opioid substitution treatment, available since 1997, was extended to prisons in 2009.",
         [("started", "opioid_substitution_treatment", 1997, None),
          ("expanded", "opioid_substitution_treatment", 2009, None)]),
        ("The first drug consumption room opened in 2004, and the Drug Consumption Rooms Act "
         "was adopted in 2008.",
         [("started", "drug_consumption_room", 2004, None),
          ("legal_basis", "drug_consumption_room", 2008, None)]),
        ("Take-home naloxone was introduced in June 2015 and has since been extended to more "
         "regions.",
         [("started", "naloxone_programme", 2015, 6)]),
        ("Drug consumption rooms operate in several cities. A facility in one town was closed "
         "in 2027 because of low attendance.",
         [("ended", "drug_consumption_room", 2027, None)]),
        ("Treatment includes opioid substitution treatment with buprenorphine, which was "
         "introduced in 2010.",
         [("started", "opioid_substitution_treatment", 2010, None)]),
        ("A law adopted in 2027 makes drug consumption rooms legally possible, but no room has "
         "opened so far.",
         [("legal_basis", "drug_consumption_room", 2027, None)]),
        ("The strategy envisages increasing the number of drug treatment centres from 41 in "
         "2028 to 60 by 2033.",
         [("planned", "drug_treatment", 2033, None)]),
        ("The review recommended the expansion of OST, and a final evaluation is planned for "
         "2031.", []),
        ("Take-home naloxone is not yet available, but a pilot programme is planned for "
         "2029/30.", [("planned", "naloxone_programme", 2030, None)]),
        ("The necessary amendment to the 1999 Act has not yet been adopted for drug "
         "consumption rooms.", []),
        ("In 2010, methadone maintenance treatment was scaled up.",
         [("expanded", "opioid_substitution_treatment", 2010, None)]),
        ("A legal framework for harm reduction measures, such as needle and syringe exchange, "
         "was established in 2002.",
         [("legal_basis", None, 2002, None)]),
        ("The law of 2002 allowed drug consumption rooms to be implemented.",
         [("legal_basis", "drug_consumption_room", 2002, None)]),
        ("A hepatitis plan was launched in 2016, and drug users should be offered HCV testing.",
         []),
        ("Needle and syringe programmes have been established for more than 20 years.", []),
        ("In 2014, NSPs distributed 1.5 million syringes, continuing a trend that started "
         "in 2005.", []),
    ],
)
def test_events(text: str, expected: list) -> None:
    assert event_rows(text) == expected


def plan_rows(text: str) -> list[tuple]:
    return [(p.kind, p.start_year, p.end_year) for p in extract_text(HEAD + text).plans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The National Drug Strategy 2013-20 sets the priorities.", [("strategy", 2013, 2020)]),
        ("The current Action Plan on Combating Drug Abuse runs from 2025 to 2027.",
         [("action_plan", 2025, 2027)]),
        ("The current decree on OST, issued in 2028, sets the rules.", [("law", 2028, None)]),
        ("The first action plan under the new strategy covers the period 2029-31.",
         [("action_plan", 2029, 2031)]),
        ("The National Programme for Drug, Tobacco and Alcohol Control and Prevention 2028-38 "
         "was adopted.", [("strategy", 2028, 2038)]),
        ("The National Drugs Strategy (interim) 2029-31 followed.", [("strategy", 2029, 2031)]),
        ("The original Narcotics Act dates from 3 October 1971.", [("law", 1971, None)]),
        ("A follow-up of the national drug strategy was published in 2029.", []),
        ("The National Drug Strategy 2024-28 was adopted with its accompanying action plan for "
         "the same period.", [("strategy", 2024, 2028), ("action_plan", 2024, 2028)]),
        ("The strategy is implemented through two-year action plans: the first, covering "
         "2025-26, and the second 2027-28.",
         [("action_plan", 2025, 2026), ("action_plan", 2027, 2028)]),
        ("Harm reduction is a pillar of the National HIV/AIDS Strategic Plan 2029-32.",
         [("other", 2029, 2032)]),
        ("The strategy is implemented through biennial action plans, the last of which "
         "covered 2027-2028.", [("action_plan", 2027, 2028)]),
        ("The Strategy for Supervision over Narcotic Drugs and Prevention and Suppression of "
         "Drug Abuse for 2028-33 was adopted in July 2028.", [("strategy", 2028, 2033)]),
        ("The Policy on Alcohol and Drug Prevention 2023-30 expired.", [("strategy", 2023, 2030)]),
        ("The National Drug Strategy Household Survey 2029 asked 20 000 people.", []),
        ("Drug policy is guided by Law No. 7975 of 26 July 2025 on narcotic drugs.",
         [("law", 2025, None)]),
        ("It draws on the National Health Strategy 2026-30.", [("other", 2026, 2030)]),
        ("The Ministry presented the drugs action plan for 2021 to 2025.",
         [("action_plan", 2021, 2025)]),
        ("The 2021-25 national strategy and the 2019-23 government programme apply.",
         [("strategy", 2021, 2025), ("government_programme", 2019, 2023)]),
        ("Action plans for 2005-08 and 2009-12 implemented it.",
         [("action_plan", 2005, 2008), ("action_plan", 2009, 2012)]),
        ("In 1998, a law was adopted allowing needle exchange.", [("law", 1998, None)]),
        ("the basic drug law of 1973 was amended", [("law", 1973, None)]),
        ("The Strategic Plan for the Prevention of HIV Infection 2013-20 names PWID.",
         [("other", 2013, 2020)]),
        ("A national strategy on HIV was adopted in 2016, which runs until 2030.",
         [("other", 2016, 2030)]),
        ("the strategy for the period 2010-2018 was updated twice", [("strategy", 2010, 2018)]),
        ("Policy is set out in a Government Resolution on drug policy adopted in 2016, which "
         "covers the period 2016-19.", [("strategy", 2016, 2019)]),
        ("The prevention of harm is a priority of the National Health Plan 2009-20 and of the "
         "White Paper on Drug Policy adopted in 2014.",
         [("other", 2009, 2020), ("strategy", 2014, None)]),
        ("The National Drug Strategy 2028-2035 is implemented through two action plans, for "
         "2028-2031 and 2032-2035.",
         [("strategy", 2028, 2035), ("action_plan", 2028, 2031), ("action_plan", 2032, 2035)]),
        ("The Resolution on the National Programme on Illicit Drugs 2014-2020 applies.",
         [("strategy", 2014, 2020)]),
        ("The Programme for Government 2016-2021 supports it.",
         [("government_programme", 2016, 2021)]),
        ("Policy is set by the White Paper on Drug Policy, which was approved in 2013.",
         [("strategy", 2013, None)]),
        ("It is implemented through two action plans, covering the periods 2021-2024 and "
         "2025-2028.", [("action_plan", 2021, 2024), ("action_plan", 2025, 2028)]),
        ("The first national overdose strategy, which covered 2014-17, was followed by another.",
         [("strategy", 2014, 2017)]),
        ("The National Agency, established in 2002, coordinates the strategy.", []),
        ("It is implemented through two consecutive action plans: the first covered 2013 to "
         "2016.", [("action_plan", 2013, 2016)]),
        ("The Government Council for Drug Policy, established in 2008, coordinates it.", []),
        # No year attached: not a row
        ("The National Strategy on Drug and Addiction Policy is the basis.", []),
        ("Decree Law 183/2001 created the network.", []),
        ("Main trends in 2011 The National Drug Strategy is in effect.", []),
        ("The Regulation on Planning and the Latvian Strategic Development Plan 2010-13 apply.",
         [("other", 2010, 2013)]),
        # Adopted in the active voice: the plan is the object of the verb
        ("In 2029, the government adopted a new national drug strategy.",
         [("strategy", 2029, None)]),
        ("The parliament approved the National Drug Strategy in 2029.",
         [("strategy", 2029, None)]),
        # ... and a year after "in" is no part of a name: the report, not the strategy
        ("The ministry published a report on the strategy in 2029.", []),
        # Periods a plan covers, said with a verb
        ("The current strategy covers the years 2028 to 2035.", [("strategy", 2028, 2035)]),
        ("The new strategy, valid from 2031 until 2040, was approved by parliament.",
         [("strategy", 2031, 2040)]),
        # A national programme that says it is about drugs
        ("The national programme on drugs for 2026–2030 was adopted.",
         [("strategy", 2026, 2030)]),
    ],
)
def test_plans(text: str, expected: list) -> None:
    assert plan_rows(text) == expected


def test_a_plan_title_keeps_the_bracket_its_period_opened() -> None:
    plans = extract_text(HEAD + "The Strategy (2031-2040) and its first Action Plan (2031-2034) "
                         "were adopted in 2031.").plans
    assert [p.title for p in plans] == ["The Strategy (2031-2040)", "Action Plan (2031-2034)"]


def service_rows(text: str) -> list[tuple]:
    return sorted((s.service, s.status) for s in extract_text(HEAD + text).services)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Outreach work is of central importance.", [("outreach", "available")]),
        ("Since an amendment in 2027, take-home naloxone may legally be supplied to peers, but "
         "no programme has yet been implemented.",
         [("naloxone_programme", "legal_only"), ("naloxone_programme", "unavailable")]),
        ("The drug consumption room we campaigned for has still not opened.",
         [("drug_consumption_room", "unavailable")]),
        ("In the European Union, by contrast, take-home naloxone programmes were operating in "
         "10 countries in 2028.", []),
        ("No drug consumption room has been opened yet, but the capital intends to open a "
         "mobile consumption room in 2030.",
         [("drug_consumption_room", "planned"), ("drug_consumption_room", "unavailable")]),
        ("An amendment adopted in 2024 created a legal basis for supervised drug consumption "
         "rooms, but no such facility has been opened.",
         [("drug_consumption_room", "legal_only"), ("drug_consumption_room", "unavailable")]),
        ("No take-home naloxone programme has been implemented so far.",
         [("naloxone_programme", "unavailable")]),
        ("Naloxone is not distributed to people who use drugs.",
         [("naloxone_programme", "unavailable")]),
        ("There are no fewer than 20 needle and syringe programmes.",
         [("needle_syringe_programme", "available")]),
        ("The act was amended in 2028 to allow municipalities to operate drug consumption "
         "rooms. No such room has been opened yet.",
         [("drug_consumption_room", "legal_only"), ("drug_consumption_room", "unavailable")]),
        ("Needle and syringe programmes were run by NGOs. When the grant ended, all of these "
         "services suspended their activities.",
         [("needle_syringe_programme", "available"),
          ("needle_syringe_programme", "discontinued")]),
        ("NSPs are available across the country, except in the northern region.",
         [("needle_syringe_programme", "available"),
          ("needle_syringe_programme", "unavailable")]),
        ("Official programmes include drug consumption rooms and heroin-assisted treatment. "
         "Nevertheless, the two last programmes are not presently available.",
         [("drug_consumption_room", "unavailable"), ("heroin_assisted_treatment", "unavailable")]),
        ("In the north, one streetwork service is no longer available.",
         [("outreach", "discontinued")]),
        ("A second supervised drug consumption room is planned.",
         [("drug_consumption_room", "planned")]),
        ("A legal framework for measures such as supervised injection rooms was established "
         "in 2001.",
         [("drug_consumption_room", "legal_only")]),
        ("The Misuse of Drugs (Supervised Injecting Facilities) Act 2029 provides the legal "
         "basis for a pilot supervised injecting facility, which is planned for 2031.",
         [("drug_consumption_room", "legal_only"), ("drug_consumption_room", "planned")]),
        ("Drug checking services are not currently available.",
         [("drug_checking", "unavailable")]),
        ("A drug consumption room operated between 2013 and 2014 but was closed. A new law "
         "adopted in 2017 allows supervised drug consumption sites.",
         [("drug_consumption_room", "discontinued")]),
        ("Drug consumption rooms are not permitted under national law.",
         [("drug_consumption_room", "unavailable")]),
        ("Drug consumption rooms and take-home naloxone programmes are not available.",
         [("drug_consumption_room", "unavailable"), ("naloxone_programme", "unavailable")]),
        ("Heroin-assisted treatment is permitted by the rules, although it has never been "
         "implemented.",
         [("heroin_assisted_treatment", "unavailable")]),
        ("Take-home naloxone is only available locally, but a national programme is planned "
         "for 2031.", [("naloxone_programme", "available"), ("naloxone_programme", "planned")]),
        ("The only drug consumption room closed in 2008. No facility has reopened since then.",
         [("drug_consumption_room", "discontinued"), ("drug_consumption_room", "unavailable")]),
        ("Its priorities include extending opioid substitution treatment and introducing "
         "hepatitis C treatment with direct-acting antivirals.",
         [("hcv_treatment", "planned"), ("opioid_substitution_treatment", "planned")]),
        ("Drug treatment is provided in specialised centres. It was replaced by the alcohol "
         "and drug treatment strategy in 2018.",
         [("drug_treatment", "available")]),
        ("There are no drug consumption rooms in the country.",
         [("drug_consumption_room", "unavailable")]),
        ("Harm reduction interventions", []),
        ("Drug consumption rooms aim to reduce overdose deaths and infections.", []),
        ("Opioid substitution treatment is an evidence-based intervention.", []),
        # a study or debate topic is no service; an objective to expand plans it
        ("A feasibility study on drug checking was commissioned in 2029.", []),
        ("Discussions on opening a drug consumption room are ongoing.", []),
        ("A study of needle and syringe programme clients found high HCV prevalence.",
         [("needle_syringe_programme", "available")]),
        ("One of the strategy's objectives is to expand OST in prisons.",
         [("opioid_substitution_treatment", "planned")]),
        # handing out syringes is a needle and syringe programme (token pattern)
        ("Outreach workers distribute sterile syringes in the capital.",
         [("needle_syringe_programme", "available"), ("outreach", "available")]),
        ("Pharmacies provide injecting equipment free of charge.",
         [("needle_syringe_programme", "available")]),
        # "never been introduced" and the like deny it
        ("Heroin-assisted treatment has never been introduced.",
         [("heroin_assisted_treatment", "unavailable")]),
        ("Drug checking has not been introduced yet, although needle and syringe programmes "
         "operate in all cities.",
         [("drug_checking", "unavailable"), ("needle_syringe_programme", "available")]),
        # a future predicate after the service plans it
        ("The first drug consumption room will open in 2031.",
         [("drug_consumption_room", "planned")]),
        ("Two new needle and syringe programme sites are due to open next year.",
         [("needle_syringe_programme", "planned")]),
    ],
)
def test_services(text: str, expected: list) -> None:
    assert service_rows(text) == expected


def test_phrases_and_figures_wrapped_over_lines() -> None:
    """Hard-wrapped text (PDF extraction) still yields phrases split by a line break."""
    text = (
        "In 2029, approximately 12 345 clients were in opioid substitution\n"
        "treatment, and needle and syringe programmes operated in all regions of the country.\n"
    )
    ext = extract_text(HEAD + text)
    assert [(f.indicator, f.year, f.value, f.qualifier) for f in ext.facts] == [
        ("ost.clients", 2029, 12345, "approx")
    ]
    assert sorted(s.service for s in ext.services) == [
        "needle_syringe_programme", "opioid_substitution_treatment"
    ]
    fact = ext.facts[0]
    assert ext.document.text[fact.prov.start_char : fact.prov.end_char] == "12 345"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The new strategy aims to introduce drug checking and to expand the coverage of "
         "opioid substitution treatment.",
         [("drug_checking", "planned"), ("opioid_substitution_treatment", "planned")]),
        ("The law gives municipalities the possibility to introduce supervised injection rooms.",
         [("drug_consumption_room", "legal_only")]),
    ],
)
def test_planned_intentions(text: str, expected: list) -> None:
    assert service_rows(text) == expected


def test_plan_title_measures_and_authority_merge_across_mentions() -> None:
    ext = extract_text(
        HEAD + "The Ministry of Health presented the drugs action plan for 2031 to 2035. "
        "The 2031-35 action plan encompasses around 60 measures."
    )
    assert [(p.kind, p.start_year, p.end_year, p.measures, p.authority, p.title)
            for p in ext.plans] == [
        ("action_plan", 2031, 2035, 60, "Ministry of Health", "drugs action plan for 2031 to 2035")
    ]
