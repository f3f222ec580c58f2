namespace Gateway.Node.Health;

/// <summary>A failure whose message is already the line a health check result should show.</summary>
internal sealed class HealthProbeException(string message, Exception? inner = null) : Exception(message, inner);
