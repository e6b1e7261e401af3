"""The public site: the landing redirect, sign-in, the support page and the help centre."""

from django.urls import path

from soutien.web.public.views import auth, kb, support

app_name = "public"

urlpatterns = [
    path("", auth.home, name="home"),
    path("connexion/", auth.SignInView.as_view(), name="login"),
    path("deconnexion/", auth.sign_out, name="logout"),
    path("soutien/", support.support_page, name="support"),
    # The help centre.
    path("aide/", kb.home, name="help"),
    path("aide/recherche/", kb.search, name="search"),
    path("aide/suggestions/", kb.suggestions, name="suggestions"),
    path("aide/suggestions/<int:article_id>/", kb.suggestion_open, name="suggestion_open"),
    path("aide/categories/<slug:slug>/", kb.category, name="category"),
    path("aide/articles/<slug:slug>/", kb.article, name="article"),
    path("aide/articles/<slug:slug>/avis/", kb.vote, name="vote"),
    path("aide/fichiers/<int:file_id>/", kb.article_file, name="file_bare"),
    path("aide/fichiers/<int:file_id>/<str:name>", kb.article_file, name="file"),
    path("aide/<str:kind_slug>/", kb.kind_list, name="kind"),
]
