"""Privacy: uninstall (tokens dropped, jobs stopped), shop and customer erasure, customer data export."""
