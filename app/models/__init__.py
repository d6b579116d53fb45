"""All models, imported here so Alembic and create_all see every table."""

from app.models.base import Base, ShopScoped, utcnow
from app.models.catalog import InventoryItem, Product, Variant
from app.models.certificate_file import CertificateFile  # noqa: F401
from app.models.checkout import Cart, CartLine, Checkout, CheckoutLine
from app.models.customer import Customer
from app.models.dashboard import DASHBOARD_TABLES, DashboardState  # noqa: F401
from app.models.location import InventoryLevel, Location
from app.models.membership import (  # noqa: F401
    Membership,
    MembershipSettings,
    SegmentChange,
    SpendEntry,
    TierChange,
)
from app.models.order import Order, OrderLine, Refund
from app.models.privacy import CustomerAccess, DataExport, PrivacySettings  # noqa: F401
from app.models.recovery import RecoveryCase, RecoveryMessage, RecoveryOptOut, RecoverySettings  # noqa: F401
from app.models.shop import Shop, ShopStatus
from app.models.supply import (
    Fulfillment,
    IncomingStock,
    OrderPromise,
    RoutingDecision,
    ShippingLane,
    StockReservation,
    TransitSample,
    WarehouseProfile,
)
from app.models.supply_settings import SupplySettings as SupplySettings
from app.models.sync import SyncStatus, SyncStep
from app.models.tier_notice import TierNotice  # noqa: F401
from app.models.traceability import PassportHead, ProvenanceRecord, SigningKey  # noqa: F401
from app.models.webhook_event import EventStatus, WebhookEvent

__all__ = [
    "Base", "ShopScoped", "utcnow", "Shop", "ShopStatus", "WebhookEvent", "EventStatus",
    "Location", "InventoryLevel", "Product", "Variant", "InventoryItem", "Customer",
    "Order", "OrderLine", "Refund", "Checkout", "CheckoutLine", "Cart", "CartLine",
    "SyncStep", "SyncStatus", "WarehouseProfile", "ShippingLane", "IncomingStock", "StockReservation",
    "Fulfillment", "TransitSample", "OrderPromise", "RoutingDecision",
]
