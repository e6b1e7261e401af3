"""The help centre (/aide/) and its console pages (/console/aide/)."""

from django.urls import path

from soutien.web import kb_console_views as console
from soutien.web import kb_views as views

app_name = "kb"

urlpatterns = [
    path("aide/", views.home, name="home"),
    path("aide/recherche/", views.search, name="search"),
    path("aide/suggestions/", views.suggestions, name="suggestions"),
    path("aide/suggestions/<int:article_id>/", views.suggestion_open, name="suggestion_open"),
    path("aide/categories/<slug:slug>/", views.category, name="category"),
    path("aide/articles/<slug:slug>/", views.article, name="article"),
    path("aide/articles/<slug:slug>/avis/", views.vote, name="vote"),
    path("aide/fichiers/<int:file_id>/", views.article_file, name="file_bare"),
    path("aide/fichiers/<int:file_id>/<str:name>", views.article_file, name="file"),
    path("aide/<str:kind_slug>/", views.kind_list, name="kind"),
    path("console/aide/", console.article_list, name="console_articles"),
    path("console/aide/chiffres/", console.figures, name="console_figures"),
    path("console/aide/articles/nouveau/", console.article_edit, name="console_article_new"),
    path("console/aide/articles/<int:article_id>/", console.article_edit, name="console_article"),
    path(
        "console/aide/articles/<int:article_id>/revisions/<int:number>/",
        console.revision,
        name="console_revision",
    ),
    path(
        "console/aide/articles/<int:article_id>/texte/",
        console.article_text,
        name="console_article_text",
    ),
    path(
        "console/aide/articles/<int:article_id>/<str:action>/",
        console.article_action,
        name="console_article_action",
    ),
    path("console/aide/categories/", console.categories, name="console_categories"),
    path(
        "console/aide/categories/<int:category_id>/",
        console.categories,
        name="console_category",
    ),
    path("console/aide/coordonnees/", console.support_contact, name="console_support"),
    path("console/aide/panneau/", console.panel_search, name="console_panel"),
    path(
        "console/aide/faq-depuis-reponse/<int:message_id>/",
        console.faq_from_reply,
        name="console_faq_from_reply",
    ),
]
