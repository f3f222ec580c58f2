using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Gateway.Node.Http;

/// <summary>
/// Decides the Host header sent upstream, in Pomerium's priority order: host_rewrite,
/// host_rewrite_header, host_path_regex_rewrite_*, preserve_host_header, otherwise automatic.
/// "Automatic" means the <c>to</c> host for direct routes; over a tunnel it is the original
/// downstream host, because Pomerium's tunnel hosts have no name to rewrite to.
/// </summary>
public sealed class HostHeaderPolicy
{
    private readonly string? _literal;
    private readonly string? _fromHeader;
    private readonly Regex? _pathRegex;
    private readonly string? _pathSubstitution;
    private readonly bool _keepOriginal;

    public HostHeaderPolicy(IReadOnlyDictionary<string, string>? metadata)
    {
        metadata ??= new Dictionary<string, string>();
        _literal = Get(metadata, ProxyMetadata.HostRewrite);
        _fromHeader = Get(metadata, ProxyMetadata.HostRewriteHeader);
        var pattern = Get(metadata, ProxyMetadata.HostPathRegexPattern);
        if (pattern is not null)
        {
            _pathRegex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            _pathSubstitution = ToDotNetSubstitution(Get(metadata, ProxyMetadata.HostPathRegexSubstitution) ?? "");
        }
        _keepOriginal = Is(metadata, ProxyMetadata.PreserveHostHeader) || Is(metadata, ProxyMetadata.UsesTunnel);
    }

    /// <summary>True when an option other than automatic rewriting applies (these also set X-Forwarded-Host in Pomerium).</summary>
    public bool Rewrites => _literal is not null || _fromHeader is not null || _pathRegex is not null;

    /// <summary>The Host to send, or null to let the HTTP client use the destination's host.</summary>
    public string? Choose(HttpRequest request)
    {
        if (_literal is not null)
            return _literal;
        if (_fromHeader is not null)
        {
            var value = request.Headers[_fromHeader].ToString();
            // Envoy leaves the host intact when the header is absent or empty.
            return value.Length > 0 ? value : Original(request);
        }
        if (_pathRegex is not null)
        {
            // Envoy matches the path without query; the substituted path becomes the host.
            var path = request.Path.HasValue ? request.PathBase.Add(request.Path).Value! : "/";
            return _pathRegex.Replace(path, _pathSubstitution!);
        }
        return _keepOriginal ? Original(request) : null;
    }

    private static string Original(HttpRequest request) => request.Host.Value ?? "";

    /// <summary>RE2/Envoy write group references as \1; .NET as ${1}. A literal $ must be doubled.</summary>
    public static string ToDotNetSubstitution(string re2)
    {
        var sb = new StringBuilder(re2.Length + 8);
        for (var i = 0; i < re2.Length; i++)
        {
            var c = re2[i];
            if (c == '$')
            {
                sb.Append("$$");
            }
            else if (c == '\\' && i + 1 < re2.Length && char.IsAsciiDigit(re2[i + 1]))
            {
                sb.Append("${").Append(re2[i + 1]).Append('}');
                i++;
            }
            else if (c == '\\' && i + 1 < re2.Length && re2[i + 1] == '\\')
            {
                sb.Append('\\');
                i++;
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    private static string? Get(IReadOnlyDictionary<string, string> metadata, string key)
        => metadata.TryGetValue(key, out var value) ? value : null;

    private static bool Is(IReadOnlyDictionary<string, string> metadata, string key)
        => metadata.TryGetValue(key, out var value) && value == "true";
}
