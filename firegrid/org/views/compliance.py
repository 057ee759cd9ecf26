"""Organisation compliance pages: one row per visible street, and the gaps of one street."""

from firegrid.core import views as scoped
from firegrid.org.compliance import district_compliance, street_compliance
from firegrid.org.models import Region


class ComplianceView(scoped.ScopedListView):
    """District-wide table: every street or town the user may see."""

    model = Region
    template_name = "org/compliance.html"
    paginate_by = None

    def get_queryset(self):
        return super().get_queryset().streets()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return context | {"reports": district_compliance(context["object_list"])}


class StreetComplianceView(scoped.ScopedDetailView):
    """The listed gaps of one street; a street outside the user's scope is a 404."""

    model = Region
    template_name = "org/compliance_street.html"

    def get_queryset(self):
        return super().get_queryset().streets()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"report": street_compliance(self.object)}
