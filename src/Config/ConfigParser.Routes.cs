using Gateway.Policy;
using System.Text.RegularExpressions;

namespace Gateway.Config;

/// <summary>Routes, their policies and health checks.</summary>
internal sealed partial class ConfigParser
{
    private static readonly string[] RouteKeys =
    [
        "id", "from", "to", "allow_public_unauthenticated_access", "policy", "upstream_tunnel", "health_checks",
        "preserve_host_header", "host_rewrite", "host_rewrite_header", "host_path_regex_rewrite_pattern",
        "host_path_regex_rewrite_substitution", "timeout", "idle_timeout", "tls_skip_verify", "tls_upstream_server_name",
        "retry_on_tunnel_failure", "healthy_panic_threshold", "pass_identity_headers",
    ];

    private static readonly string[] HttpToSchemes = ["http", "https", "h2c"];
    private static readonly string[] SshToSchemes = ["ssh", "tcp"];

    private IReadOnlyList<RouteConfig> Routes(ObjectNode root)
    {
        var result = new List<RouteConfig>();
        var byFrom = new Dictionary<string, string>(StringComparer.Ordinal);
        var byId = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in List(root, "routes"))
        {
            if (item is not ObjectNode obj)
            {
                Problem(item.Path, TypeError("a route object { from = ..., to = ... }", item));
                continue;
            }
            var route = Route(obj);
            if (route is null)
                continue;
            var fromPath = ConfigNode.ChildPath(obj.Path, "from");
            var fromKey = route.From.Scheme + "://" + route.From.Host + (route.From.Port is { } p ? ":" + p : "");
            var duplicateFrom = byFrom.TryGetValue(fromKey, out var firstFrom);
            if (duplicateFrom)
                Problem(fromPath, $"duplicate route: \"{route.From.Original}\" is already defined at {firstFrom}");
            else
                byFrom[fromKey] = fromPath;
            // A duplicate from already explains a clashing derived id; report ids only otherwise.
            if (!duplicateFrom)
            {
                var idPath = ConfigNode.ChildPath(obj.Path, "id");
                if (byId.TryGetValue(route.Id, out var firstId))
                    Problem(idPath, $"duplicate route id \"{route.Id}\" (also at {firstId})");
                else
                    byId[route.Id] = idPath;
            }
            result.Add(route);
        }
        return result;
    }

    private RouteConfig? Route(ObjectNode obj)
    {
        CheckKeys(obj, RouteKeys);
        var fromPath = ConfigNode.ChildPath(obj.Path, "from");
        var fromText = String(obj, "from");
        RouteFrom? from = null;
        if (fromText is null)
            Problem(fromPath, "required: the route's external URL (https://host or ssh://name)");
        else
            from = From(fromPath, fromText);

        var to = Targets(obj, from);

        string? id = null;
        if (String(obj, "id") is { } idText)
        {
            if (idText.Length == 0 || !idText.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                Problem(ConfigNode.ChildPath(obj.Path, "id"), $"expected letters, digits, '-', '_' or '.', got \"{idText}\"");
            else
                id = idText;
        }

        var policyNode = Present(obj, "policy");
        var policy = policyNode is null ? null : Policy(policyNode);
        var tunnel = UpstreamTunnel(obj);
        var healthChecks = HealthChecks(obj);

        var pattern = String(obj, "host_path_regex_rewrite_pattern");
        var substitution = String(obj, "host_path_regex_rewrite_substitution");
        if (pattern is not null)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                Problem(ConfigNode.ChildPath(obj.Path, "host_path_regex_rewrite_pattern"), $"invalid regular expression: {ex.Message}");
            }
            if (substitution is null)
                Problem(ConfigNode.ChildPath(obj.Path, "host_path_regex_rewrite_substitution"),
                    "required when host_path_regex_rewrite_pattern is set");
        }
        else if (substitution is not null)
        {
            Problem(ConfigNode.ChildPath(obj.Path, "host_path_regex_rewrite_pattern"),
                "required when host_path_regex_rewrite_substitution is set");
        }

        var tlsServerName = String(obj, "tls_upstream_server_name");
        var retry = RetryOnTunnelFailure(obj, tunnel is not null);
        if (from?.IsHttps == true)
            CheckHttpTargets(ConfigNode.ChildPath(obj.Path, "to"), to, tlsServerName);

        var route = new RouteConfig
        {
            Id = id ?? (from is null ? "" : DeriveId(from)),
            From = from ?? new RouteFrom("https", "", null, false, fromText ?? ""),
            To = to,
            AllowPublicUnauthenticatedAccess = Bool(obj, "allow_public_unauthenticated_access") ?? false,
            Policy = policy,
            UpstreamTunnel = tunnel,
            HealthChecks = healthChecks,
            PreserveHostHeader = Bool(obj, "preserve_host_header") ?? false,
            HostRewrite = String(obj, "host_rewrite"),
            HostRewriteHeader = String(obj, "host_rewrite_header"),
            HostPathRegexRewritePattern = pattern,
            HostPathRegexRewriteSubstitution = substitution,
            Timeout = Duration(obj, "timeout") ?? TimeSpan.FromSeconds(30),
            IdleTimeout = Duration(obj, "idle_timeout") ?? TimeSpan.FromMinutes(5),
            TlsSkipVerify = Bool(obj, "tls_skip_verify") ?? false,
            TlsUpstreamServerName = tlsServerName,
            RetryOnTunnelFailure = retry,
            HealthyPanicThreshold = Percent(obj, "healthy_panic_threshold") ?? RouteConfig.DefaultHealthyPanicThreshold,
            PassIdentityHeaders = Bool(obj, "pass_identity_headers") ?? false,
        };
        return from is null ? null : route;
    }

    /// <summary>
    /// A percent from 0 to 100: Envoy's <c>healthy_panic_threshold</c> is a double percent and
    /// Pomerium passes it as an int32 percent, so integers and decimals are both accepted.
    /// </summary>
    private double? Percent(ObjectNode node, string key)
    {
        var value = Present(node, key);
        if (value is null)
            return null;
        if (value is ScalarNode { Text: { } text }
            && double.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint,
                System.Globalization.CultureInfo.InvariantCulture, out var number)
            && number >= 0 && number <= 100)
            return number;
        Problem(value.Path, TypeError("a percent from 0 to 100", value));
        return null;
    }

    /// <summary><c>retry_on_tunnel_failure</c>: "idempotent" (the default) or "never"; only where tunnels carry the route.</summary>
    private TunnelRetryPolicy RetryOnTunnelFailure(ObjectNode route, bool hasTunnel)
    {
        if (String(route, "retry_on_tunnel_failure") is not { } text)
            return TunnelRetryPolicy.Idempotent;
        var path = ConfigNode.ChildPath(route.Path, "retry_on_tunnel_failure");
        var policy = text switch
        {
            "idempotent" => TunnelRetryPolicy.Idempotent,
            "never" => TunnelRetryPolicy.Never,
            _ => Invalid(path, $"expected \"idempotent\" or \"never\", got \"{text}\"", TunnelRetryPolicy.Idempotent),
        };
        if (!hasTunnel)
            Problem(path, "applies only to routes with upstream_tunnel (their requests travel through SSH clients)");
        return policy;
    }

    internal static string DeriveId(RouteFrom from) =>
        from.Scheme + "-" + from.Host.Replace("*", "wildcard", StringComparison.Ordinal)
        + (from.Port is { } port ? "-" + port : "");

    private RouteFrom? From(string path, string text)
    {
        var expected = $"expected an https://host or ssh://name URL, got \"{text}\"";
        var sep = text.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0)
        {
            Problem(path, expected);
            return null;
        }
        var scheme = text[..sep].ToLowerInvariant();
        var rest = text[(sep + 3)..];
        if (rest.EndsWith('/'))
            rest = rest[..^1];
        if (scheme is not ("https" or "ssh"))
        {
            Problem(path, expected + (scheme == "http" ? " (routes are served over TLS; use https://)" : ""));
            return null;
        }
        if (rest.IndexOfAny(['/', '?', '#', '@']) >= 0)
        {
            Problem(path, $"expected only a host name, without path, query or user, got \"{text}\"");
            return null;
        }

        if (scheme == "ssh")
        {
            if (rest.Contains(':'))
            {
                Problem(path, $"ssh routes are named ssh://name without a port, got \"{text}\"");
                return null;
            }
            if (rest.Length == 0 || !rest.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                Problem(path, $"expected ssh://name with letters, digits, '-', '_' or '.', got \"{text}\"");
                return null;
            }
            return new RouteFrom("ssh", rest, null, false, text);
        }

        if (rest.Length == 0 || rest.StartsWith('[') || rest.StartsWith(':')
            || !HostPort.TryParse(rest, 0, out var hostPort, out _))
        {
            Problem(path, expected);
            return null;
        }
        var host = hostPort!.Host.ToLowerInvariant();
        int? port = rest.Contains(':') ? hostPort.Port : null;
        if (port == 0)
        {
            Problem(path, $"port 0 is not valid in from, got \"{text}\"");
            return null;
        }
        var wildcard = host.StartsWith("*.", StringComparison.Ordinal);
        var checkedPart = wildcard ? host[2..] : host;
        if (checkedPart.Length == 0 || checkedPart.Contains('*'))
        {
            Problem(path, $"a wildcard is only allowed as the whole first label, as in https://*.example.com, got \"{text}\"");
            return null;
        }
        if (!checkedPart.Split('.').All(label => label.Length is > 0 and <= 63
                                                 && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            Problem(path, $"\"{host}\" is not a valid host name");
            return null;
        }
        return new RouteFrom("https", host, port, wildcard, text);
    }

    private IReadOnlyList<RouteTarget> Targets(ObjectNode obj, RouteFrom? from)
    {
        var node = Present(obj, "to");
        var path = ConfigNode.ChildPath(obj.Path, "to");
        if (node is null)
        {
            Problem(path, "required: one or more upstream URLs");
            return [];
        }
        IReadOnlyList<ConfigNode> items = node switch
        {
            ListNode list => list.Items,
            ScalarNode => [node],
            _ => [],
        };
        if (node is ObjectNode)
        {
            Problem(path, TypeError("a URL or a list of URLs", node));
            return [];
        }
        if (items.Count == 0)
        {
            Problem(path, "expected at least one upstream URL");
            return [];
        }

        var ssh = from?.IsSsh == true;
        if (ssh && items.Count > 1)
            Problem(path, "only one 'to' entry allowed for ssh routes");

        var result = new List<RouteTarget>();
        foreach (var item in items)
        {
            // A single string has no index in the file; a list element does.
            var itemPath = node is ListNode ? item.Path : path;
            if (item is not ScalarNode { Text: { } text })
            {
                Problem(itemPath, TypeError("a URL string", item));
                continue;
            }
            if (Target(itemPath, text, ssh) is { } target)
                result.Add(target);
        }
        return result;
    }

    private RouteTarget? Target(string path, string text, bool ssh)
    {
        var expected = ssh
            ? $"expected an ssh:// or tcp:// URL (host:port), got \"{text}\""
            : $"expected an http://, https:// or h2c:// URL, got \"{text}\"";
        var urlText = text.Trim();
        int? weight = null;
        var comma = urlText.LastIndexOf(',');
        if (comma >= 0)
        {
            var weightText = urlText[(comma + 1)..].Trim();
            urlText = urlText[..comma].Trim();
            if (!int.TryParse(weightText, System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out var w))
            {
                Problem(path, $"expected \"url,weight\" with a positive integer weight, got \"{text}\"");
                return null;
            }
            if (w == 0)
            {
                Problem(path, $"weight must be greater than zero, got \"{text}\"");
                return null;
            }
            weight = w;
        }

        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            Problem(path, expected);
            return null;
        }
        var allowed = ssh ? SshToSchemes : HttpToSchemes;
        if (!allowed.Contains(uri.Scheme))
        {
            Problem(path, ssh ? $"'to' route url must have ssh scheme: {expected}" : expected);
            return null;
        }
        if (ssh && (uri.Port <= 0 && uri.Scheme == "tcp"))
        {
            Problem(path, $"a tcp:// upstream needs a port, got \"{text}\"");
            return null;
        }
        return new RouteTarget(uri, weight);
    }

    /// <summary>
    /// What one upstream HTTP client per route can serve: h2c speaks HTTP/2 to every destination,
    /// and TLS validates one name for all of them.
    /// </summary>
    private void CheckHttpTargets(string path, IReadOnlyList<RouteTarget> to, string? tlsServerName)
    {
        var h2c = to.Count(t => t.Url.Scheme == "h2c");
        if (h2c != 0 && h2c != to.Count)
            Problem(path, "h2c:// 'to' URLs cannot be mixed with http:// or https:// in one route");
        if (tlsServerName is null
            && to.Where(t => t.Url.Scheme == "https").Select(t => t.Url.IdnHost).Distinct(StringComparer.OrdinalIgnoreCase).Count() > 1)
            Problem(path, "https:// 'to' URLs with different hosts need tls_upstream_server_name");
    }

    private UpstreamTunnelConfig? UpstreamTunnel(ObjectNode route)
    {
        var node = Object(route, "upstream_tunnel");
        if (node is null)
            return null;
        CheckKeys(node, ["ssh_policy"]);
        var policyNode = Present(node, "ssh_policy");
        return new UpstreamTunnelConfig(policyNode is null ? null : Policy(policyNode));
    }

    // ---- policy ------------------------------------------------------------------------

    private static readonly string[] PolicyActions = ["allow", "deny"];
    private static readonly string[] PolicyOperators = ["and", "or", "not", "nor"];

    /// <summary>Checks the PPL skeleton (allow/deny → and/or/not/nor → criterion objects) and keeps the tree.</summary>
    internal PolicyNode? Policy(ConfigNode node)
    {
        var blocks = node is ListNode list ? list.Items : [node];
        if (node is ListNode && blocks.Count == 0)
            Problem(node.Path, "expected at least one { allow = ... } or { deny = ... } block");
        foreach (var block in blocks)
        {
            if (block is not ObjectNode obj)
            {
                Problem(block.Path, TypeError("an object with allow and/or deny", block));
                continue;
            }
            CheckKeys(obj, PolicyActions);
            if (obj.Entries.Count == 0)
                Problem(obj.Path, "expected allow and/or deny");
            foreach (var action in PolicyActions)
            {
                if (Present(obj, action) is not { } actionNode)
                    continue;
                if (actionNode is not ObjectNode actionObj)
                {
                    Problem(actionNode.Path, TypeError("an object with and, or, not or nor lists", actionNode));
                    continue;
                }
                CheckKeys(actionObj, PolicyOperators);
                if (actionObj.Entries.Count == 0)
                    Problem(actionObj.Path, "expected at least one of and, or, not, nor");
                foreach (var op in PolicyOperators)
                {
                    if (Present(actionObj, op) is not { } opNode)
                        continue;
                    if (opNode is not ListNode criteria)
                    {
                        Problem(opNode.Path, TypeError("a list of criteria", opNode));
                        continue;
                    }
                    foreach (var criterion in criteria.Items)
                    {
                        if (criterion is not ObjectNode { Entries.Count: > 0 })
                            Problem(criterion.Path, TypeError("a criterion object such as { email { is = \"user@example.com\" } }", criterion));
                    }
                }
            }
        }
        return ToPolicyNode(node);
    }

    private PolicyNode ToPolicyNode(ConfigNode node) => node switch
    {
        ObjectNode obj => new PolicyNode.Object(obj.Entries.Select(e => (e.Key, ToPolicyNode(e.Value))).ToList()) { Path = node.Path },
        ListNode list => new PolicyNode.List(list.Items.Select(ToPolicyNode).ToList()) { Path = node.Path },
        ScalarNode scalar => PolicyNode.Scalar.FromText(scalar.Text ?? "") with { Path = node.Path },
        _ => throw new InvalidOperationException("unreachable: unknown node type"),
    };

    // ---- health checks -------------------------------------------------------------------

    private static readonly string[] HealthCheckKeys =
    [
        "timeout", "interval", "initial_jitter", "interval_jitter", "interval_jitter_percent", "unhealthy_threshold",
        "healthy_threshold", "alt_port", "reuse_connection", "no_traffic_interval", "no_traffic_healthy_interval",
        "unhealthy_interval", "unhealthy_edge_interval", "healthy_edge_interval", "always_log_health_check_failures",
        "always_log_health_check_success", "http_health_check", "tcp_health_check", "grpc_health_check",
    ];

    private IReadOnlyList<HealthCheckConfig> HealthChecks(ObjectNode route)
    {
        var result = new List<HealthCheckConfig>();
        foreach (var item in List(route, "health_checks"))
        {
            if (item is not ObjectNode obj)
            {
                Problem(item.Path, TypeError("a health check object", item));
                continue;
            }
            if (HealthCheck(obj) is { } check)
                result.Add(check);
        }
        return result;
    }

    private HealthCheckConfig? HealthCheck(ObjectNode obj)
    {
        CheckKeys(obj, HealthCheckKeys);
        var ok = true;
        TimeSpan RequiredDuration(string key)
        {
            var value = Duration(obj, key);
            if (value is null && Present(obj, key) is null)
                Problem(ConfigNode.ChildPath(obj.Path, key), "required: a duration such as \"5s\"");
            else if (value == TimeSpan.Zero)
                Problem(ConfigNode.ChildPath(obj.Path, key), "must be greater than zero");
            ok &= value is not null && value > TimeSpan.Zero;
            return value ?? TimeSpan.Zero;
        }
        int RequiredThreshold(string key)
        {
            var value = Int(obj, key, 1, int.MaxValue);
            if (value is null && Present(obj, key) is null)
                Problem(ConfigNode.ChildPath(obj.Path, key), "required: a count of 1 or more");
            ok &= value is not null;
            return value ?? 0;
        }

        var timeout = RequiredDuration("timeout");
        var interval = RequiredDuration("interval");
        var unhealthy = RequiredThreshold("unhealthy_threshold");
        var healthy = RequiredThreshold("healthy_threshold");

        var httpNode = Object(obj, "http_health_check");
        var tcpNode = Object(obj, "tcp_health_check");
        var grpcNode = Object(obj, "grpc_health_check");
        var kinds = new[] { httpNode, tcpNode, grpcNode }.Count(n => n is not null);
        var kindsWritten = new[] { "http_health_check", "tcp_health_check", "grpc_health_check" }.Count(k => Present(obj, k) is not null);
        if (kindsWritten == 0)
            Problem(obj.Path, "expected exactly one of http_health_check, tcp_health_check, grpc_health_check");
        else if (kindsWritten > 1)
            Problem(obj.Path, "only one of http_health_check, tcp_health_check, grpc_health_check may be set");
        if (kinds != 1)
            ok = false;

        var check = new HealthCheckConfig
        {
            Timeout = timeout,
            Interval = interval,
            InitialJitter = Duration(obj, "initial_jitter"),
            IntervalJitter = Duration(obj, "interval_jitter"),
            IntervalJitterPercent = Int(obj, "interval_jitter_percent", 0, 100),
            UnhealthyThreshold = unhealthy,
            HealthyThreshold = healthy,
            AltPort = Int(obj, "alt_port", 1, 65535),
            ReuseConnection = Bool(obj, "reuse_connection"),
            NoTrafficInterval = Duration(obj, "no_traffic_interval"),
            NoTrafficHealthyInterval = Duration(obj, "no_traffic_healthy_interval"),
            UnhealthyInterval = Duration(obj, "unhealthy_interval"),
            UnhealthyEdgeInterval = Duration(obj, "unhealthy_edge_interval"),
            HealthyEdgeInterval = Duration(obj, "healthy_edge_interval"),
            AlwaysLogHealthCheckFailures = Bool(obj, "always_log_health_check_failures") ?? false,
            AlwaysLogHealthCheckSuccess = Bool(obj, "always_log_health_check_success") ?? false,
            Http = httpNode is null ? null : HttpCheck(httpNode),
            Tcp = tcpNode is null ? null : TcpCheck(tcpNode),
            Grpc = grpcNode is null ? null : GrpcCheck(grpcNode),
        };
        return ok ? check : null;
    }

    /// <summary>Envoy's default <c>response_buffer_size</c>, which the payloads are checked against when none is written.</summary>
    private const int DefaultResponseBufferSize = 1024;

    private HttpHealthCheck HttpCheck(ObjectNode node)
    {
        CheckKeys(node, ["host", "path", "send", "receive", "response_buffer_size", "request_headers_to_remove",
            "expected_statuses", "retriable_statuses", "codec_client_type"]);
        var path = String(node, "path");
        var pathKey = ConfigNode.ChildPath(node.Path, "path");
        if (path is null)
            Problem(pathKey, "required: the request path, e.g. \"/health\"");
        else if (!path.StartsWith('/'))
            Problem(pathKey, $"expected a path starting with '/', got \"{path}\"");

        var codec = HealthCheckCodec.Http1;
        if (String(node, "codec_client_type") is { } codecText)
        {
            codec = codecText switch
            {
                "HTTP1" => HealthCheckCodec.Http1,
                "HTTP2" => HealthCheckCodec.Http2,
                "HTTP3" => HealthCheckCodec.Http3,
                _ => Invalid(ConfigNode.ChildPath(node.Path, "codec_client_type"),
                    $"expected HTTP1, HTTP2 or HTTP3, got \"{codecText}\"", HealthCheckCodec.Http1),
            };
        }

        var receive = List(node, "receive").Select(Payload).OfType<HealthCheckPayload>().ToList();
        var bufferSize = Int(node, "response_buffer_size", 0, int.MaxValue);
        // Envoy refuses both at load: payloads that can never fit the buffer it keeps (0 keeps the
        // whole body), and a Host header removed from a request that needs one.
        var effectiveBuffer = bufferSize ?? DefaultResponseBufferSize;
        var receiveLength = receive.Sum(p => (long)p.Bytes.Length);
        if (effectiveBuffer != 0 && receiveLength > effectiveBuffer)
            Problem(ConfigNode.ChildPath(node.Path, "receive"),
                $"the receive payloads are {receiveLength} bytes, longer than response_buffer_size ({effectiveBuffer}{(bufferSize is null ? ", the default" : "")}); raise response_buffer_size or set it to 0 for the whole body");
        var headersToRemove = StringList(node, "request_headers_to_remove");
        foreach (var header in headersToRemove.Where(h => h.Text.Equals("host", StringComparison.OrdinalIgnoreCase) || h.Text.StartsWith(':')))
            Problem(header.Node.Path, $"\"{header.Text}\" cannot be removed: a health check request always carries Host and the pseudo-headers");

        return new HttpHealthCheck
        {
            Host = String(node, "host"),
            Path = path ?? "/",
            Send = Present(node, "send") is { } send ? Payload(send) : null,
            Receive = receive,
            ResponseBufferSize = bufferSize,
            RequestHeadersToRemove = headersToRemove.Select(h => h.Text).ToList(),
            ExpectedStatuses = StatusRanges(node, "expected_statuses"),
            RetriableStatuses = StatusRanges(node, "retriable_statuses"),
            CodecClientType = codec,
        };
    }

    private T Invalid<T>(string path, string message, T fallback)
    {
        Problem(path, message);
        return fallback;
    }

    private IReadOnlyList<StatusRange> StatusRanges(ObjectNode node, string key)
    {
        var result = new List<StatusRange>();
        foreach (var item in List(node, key))
        {
            if (item is not ObjectNode range)
            {
                Problem(item.Path, TypeError("an object { start = 200, end = 300 }", item));
                continue;
            }
            CheckKeys(range, ["start", "end"]);
            var start = Int(range, "start", 100, 599);
            var end = Int(range, "end", 101, 600);
            if (Present(range, "start") is null)
                Problem(ConfigNode.ChildPath(range.Path, "start"), "required: first status in the range (inclusive)");
            if (Present(range, "end") is null)
                Problem(ConfigNode.ChildPath(range.Path, "end"), "required: status after the range (exclusive)");
            if (start is { } s && end is { } e)
            {
                if (e <= s)
                    Problem(range.Path, $"end ({e}) must be greater than start ({s}); the range is [start, end)");
                else
                    result.Add(new StatusRange(s, e));
            }
        }
        return result;
    }

    private TcpHealthCheck TcpCheck(ObjectNode node)
    {
        CheckKeys(node, ["send", "receive"]);
        return new TcpHealthCheck(
            Present(node, "send") is { } send ? Payload(send) : null,
            List(node, "receive").Select(Payload).OfType<HealthCheckPayload>().ToList());
    }

    private GrpcHealthCheck GrpcCheck(ObjectNode node)
    {
        CheckKeys(node, ["service_name", "authority"]);
        return new GrpcHealthCheck(String(node, "service_name"), String(node, "authority"));
    }

    private HealthCheckPayload? Payload(ConfigNode node)
    {
        if (node is not ObjectNode obj)
        {
            Problem(node.Path, TypeError("an object { text = \"<hex>\" } or { binary = \"<base64>\" }", node));
            return null;
        }
        CheckKeys(obj, ["text", "binary"]);
        var text = String(obj, "text");
        var binary = String(obj, "binary");
        if ((text is null) == (binary is null))
        {
            Problem(obj.Path, "expected exactly one of text (hex) or binary (base64)");
            return null;
        }
        try
        {
            return new HealthCheckPayload(text is not null ? Convert.FromHexString(text) : Convert.FromBase64String(binary!));
        }
        catch (FormatException)
        {
            var key = text is not null ? "text" : "binary";
            Problem(ConfigNode.ChildPath(obj.Path, key), text is not null
                ? $"expected hex digits, got \"{text}\""
                : $"expected base64, got \"{binary}\"");
            return null;
        }
    }
}
