from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "advocacy.customers"
    label = "customers"
    verbose_name = "Customers"
