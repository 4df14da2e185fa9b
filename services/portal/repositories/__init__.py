"""PyMongo async access of the portal: one class per collection."""

from services.portal.repositories.files import FileRepository
from services.portal.repositories.news import NewsRepository
from services.portal.repositories.pages import DocumentFilter, PageRepository

__all__ = ["DocumentFilter", "FileRepository", "NewsRepository", "PageRepository"]
