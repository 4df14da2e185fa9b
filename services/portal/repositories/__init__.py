"""PyMongo async access of the portal: one class per collection (or family of records)."""

from services.portal.repositories.files import FileRepository
from services.portal.repositories.listing import ListingRepository
from services.portal.repositories.news import NewsRepository
from services.portal.repositories.pages import PageRepository
from services.portal.repositories.slugs import SlugRepository
from services.portal.repositories.terms import TermRepository
from services.portal.repositories.work import PendingWork

__all__ = [
    "FileRepository",
    "ListingRepository",
    "NewsRepository",
    "PageRepository",
    "PendingWork",
    "SlugRepository",
    "TermRepository",
]
