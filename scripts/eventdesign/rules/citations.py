"""Sources that several rules' explanations cite, written once."""

DOMAIN_EVENTS = 'Vaughn Vernon, Implementing Domain-Driven Design (2013), ch. 8 "Domain Events"'
EVENT_DRIVEN = (
    'Martin Fowler, "What do you mean by Event-Driven?" (2017),'
    " https://martinfowler.com/articles/201701-event-driven.html"
)
COMMAND_MESSAGE = (
    'Gregor Hohpe and Bobby Woolf, Enterprise Integration Patterns (2003), "Command Message",'
    " https://www.enterpriseintegrationpatterns.com/patterns/messaging/CommandMessage.html"
)
REQUEST_REPLY = (
    'Gregor Hohpe and Bobby Woolf, Enterprise Integration Patterns (2003), "Request-Reply",'
    " https://www.enterpriseintegrationpatterns.com/patterns/messaging/RequestReply.html"
)
ANTI_PATTERNS = (
    'Oskar Dudycz, "Event modelling anti-patterns explained" (CRUD sourcing, passive'
    " aggressive events), https://event-driven.io/en/anti-patterns"
)
GDPR_ERASURE = "Regulation (EU) 2016/679 (GDPR), Art. 17, right to erasure"
GDPR_BY_DESIGN = (
    "Regulation (EU) 2016/679 (GDPR), Art. 25, data protection by design and by default"
)
CRYPTO_SHREDDING = 'Mathias Verraes, "Crypto-shredding" (Eventsourcery patterns)'
ASYNCAPI_OPERATIONS = (
    'AsyncAPI Specification 3.0.0, "Operation Object" (send and receive),'
    " https://www.asyncapi.com/docs/reference/specification/v3.0.0"
)
CQRS = (
    'Microsoft, "CQRS pattern" (Azure Architecture Center),'
    " https://learn.microsoft.com/azure/architecture/patterns/cqrs"
)
