"""The capital and 24 provinces; slugs are the English name lowercased and hyphenated."""

from __future__ import annotations

from dataclasses import dataclass

ABROAD = "abroad"


@dataclass(frozen=True, slots=True)
class Province:
    slug: str
    name_en: str
    name_km: str

    def name(self, language: str) -> str:
        return self.name_km if language == "km" else self.name_en


PROVINCES: tuple[Province, ...] = (
    Province("phnom-penh", "Phnom Penh", "ភ្នំពេញ"),
    Province("banteay-meanchey", "Banteay Meanchey", "បន្ទាយមានជ័យ"),
    Province("battambang", "Battambang", "បាត់ដំបង"),
    Province("kampong-cham", "Kampong Cham", "កំពង់ចាម"),
    Province("kampong-chhnang", "Kampong Chhnang", "កំពង់ឆ្នាំង"),
    Province("kampong-speu", "Kampong Speu", "កំពង់ស្ពឺ"),
    Province("kampong-thom", "Kampong Thom", "កំពង់ធំ"),
    Province("kampot", "Kampot", "កំពត"),
    Province("kandal", "Kandal", "កណ្ដាល"),
    Province("kep", "Kep", "កែប"),
    Province("koh-kong", "Koh Kong", "កោះកុង"),
    Province("kratie", "Kratie", "ក្រចេះ"),
    Province("mondulkiri", "Mondulkiri", "មណ្ឌលគិរី"),
    Province("oddar-meanchey", "Oddar Meanchey", "ឧត្ដរមានជ័យ"),
    Province("pailin", "Pailin", "ប៉ៃលិន"),
    Province("preah-sihanouk", "Preah Sihanouk", "ព្រះសីហនុ"),
    Province("preah-vihear", "Preah Vihear", "ព្រះវិហារ"),
    Province("prey-veng", "Prey Veng", "ព្រៃវែង"),
    Province("pursat", "Pursat", "ពោធិ៍សាត់"),
    Province("ratanakiri", "Ratanakiri", "រតនគិរី"),
    Province("siem-reap", "Siem Reap", "សៀមរាប"),
    Province("stung-treng", "Stung Treng", "ស្ទឹងត្រែង"),
    Province("svay-rieng", "Svay Rieng", "ស្វាយរៀង"),
    Province("takeo", "Takeo", "តាកែវ"),
    Province("tboung-khmum", "Tboung Khmum", "ត្បូងឃ្មុំ"),
)

BY_SLUG = {p.slug: p for p in PROVINCES}
