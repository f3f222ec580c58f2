namespace Gateway.Node.Http;

/// <summary>The tunnel endpoint refused or failed to open a channel; the gateway answers 502.</summary>
public sealed class TunnelOpenFailedException : Exception
{
    public TunnelOpenFailedException(string message) : base(message) { }

    public TunnelOpenFailedException(string message, Exception inner) : base(message, inner) { }
}
