using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

public sealed class WebhookException : Exception
{
    public WebhookException()
    {
    }

    public WebhookException(string message)
        : base(message)
    {
    }

    public WebhookException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public WebhookException(string message, bool transient, Exception? innerException = null)
        : base(message, innerException)
    {
        Transient = transient;
    }

    public bool Transient { get; }
}
