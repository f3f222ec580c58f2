using System.Globalization;

namespace Gateway.Node.Http;

/// <summary>One <c>to</c> entry of a route: an http, https or h2c URL and its load-balancing weight.</summary>
public sealed record UpstreamUrl
{
    public UpstreamUrl(Uri url, int weight = 1)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
            throw new ArgumentException($"'{url}' is not an absolute URL", nameof(url));
        var scheme = url.Scheme.ToLowerInvariant();
        if (scheme is not ("http" or "https" or "h2c"))
            throw new ArgumentException($"'{url}' has scheme '{url.Scheme}'; expected http, https or h2c", nameof(url));
        if (weight <= 0)
            throw new ArgumentException($"weight of '{url}' must be a positive integer, got {weight}", nameof(weight));
        Url = url;
        Weight = weight;
    }

    public Uri Url { get; }

    public int Weight { get; }

    public bool IsH2c => Url.Scheme.Equals("h2c", StringComparison.OrdinalIgnoreCase);

    public bool IsHttps => Url.Scheme.Equals("https", StringComparison.OrdinalIgnoreCase);

    /// <summary>The scheme the HTTP client speaks: h2c is HTTP/2 over plain http.</summary>
    public string WireScheme => IsHttps ? "https" : "http";

    /// <summary>h2c has no default port in <see cref="Uri"/>; it follows http.</summary>
    public int Port => Url.IsDefaultPort && IsH2c ? 80 : Url.Port;

    /// <summary>Parses Pomerium's <c>"url,weight"</c> syntax; the weight is optional.</summary>
    public static UpstreamUrl Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var weight = 1;
        var urlText = text.Trim();
        var comma = urlText.LastIndexOf(',');
        if (comma >= 0)
        {
            var weightText = urlText[(comma + 1)..].Trim();
            if (!int.TryParse(weightText, NumberStyles.None, CultureInfo.InvariantCulture, out weight) || weight <= 0)
                throw new FormatException($"'{text}': weight must be a positive integer");
            urlText = urlText[..comma].Trim();
        }
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var uri))
            throw new FormatException($"'{text}' is not an absolute URL");
        try
        {
            return new UpstreamUrl(uri, weight);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    public override string ToString() => Weight == 1 ? Url.ToString() : $"{Url},{Weight}";
}
