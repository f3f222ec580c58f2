using System.Globalization;

namespace Gateway.Config;

/// <summary>A listen or connect address as written in the config: <c>host:port</c>,
/// <c>[::1]:port</c>, or <c>:port</c> (all interfaces). Port 0 means "pick a free port".</summary>
public sealed record HostPort(string Host, int Port)
{
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>Parses <paramref name="text"/>; <paramref name="defaultPort"/> applies when no port is
    /// written (Pomerium does this for <c>ssh_address</c>, defaulting to 22).</summary>
    public static bool TryParse(string text, int? defaultPort, out HostPort? value, out string error)
    {
        value = null;
        error = "";
        var s = text.Trim();
        string host;
        string? port;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']');
            if (close < 0)
            {
                error = $"expected host:port, got \"{text}\" (unclosed '[')";
                return false;
            }
            host = s[1..close];
            var rest = s[(close + 1)..];
            if (rest.Length == 0)
                port = null;
            else if (rest.StartsWith(':'))
                port = rest[1..];
            else
            {
                error = $"expected host:port, got \"{text}\"";
                return false;
            }
        }
        else
        {
            var colon = s.LastIndexOf(':');
            if (colon >= 0 && s.IndexOf(':') != colon)
            {
                error = $"expected host:port, got \"{text}\" (write IPv6 addresses as [addr]:port)";
                return false;
            }
            host = colon < 0 ? s : s[..colon];
            port = colon < 0 ? null : s[(colon + 1)..];
        }

        if (host.Length == 0)
            host = "0.0.0.0";
        if (host.Any(c => char.IsWhiteSpace(c) || c is '/' or '@'))
        {
            error = $"expected host:port, got \"{text}\"";
            return false;
        }

        int portNumber;
        if (port is null)
        {
            if (defaultPort is null)
            {
                error = $"expected host:port, got \"{text}\" (no port)";
                return false;
            }
            portNumber = defaultPort.Value;
        }
        else if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber) || portNumber > 65535)
        {
            error = $"expected host:port with a port from 0 to 65535, got \"{text}\"";
            return false;
        }

        value = new HostPort(host, portNumber);
        return true;
    }
}
