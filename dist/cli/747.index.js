export const id = 747;
export const ids = [747];
export const modules = {

/***/ 2747:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {

var __webpack_unused_export__;
const { awsEndpointFunctions, emitWarningIfUnsupportedVersion: emitWarningIfUnsupportedVersion$1, createDefaultUserAgentProvider, getDefaultSocketTimeout, NODE_APP_ID_CONFIG_OPTIONS, getAwsRegionExtensionConfiguration, resolveAwsRegionExtensionConfiguration, resolveUserAgentConfig, resolveHostHeaderConfig, getUserAgentPlugin, getHostHeaderPlugin, getLoggerPlugin, getRecursionDetectionPlugin } = __webpack_require__(5152);
const { getHttpAuthSchemeEndpointRuleSetPlugin, DefaultIdentityProviderConfig, getHttpSigningPlugin, createPaginator } = __webpack_require__(402);
const { normalizeProvider, getSmithyContext, ServiceException, NoOpLogger, emitWarningIfUnsupportedVersion, loadConfigsForDefaultMode, getDefaultExtensionConfiguration, resolveDefaultRuntimeConfig, Client, makeBuilder, createAggregatedClient } = __webpack_require__(2658);
const { Command: $Command } = __webpack_require__(2658);
__webpack_unused_export__ = $Command;
__webpack_unused_export__ = Client;
const { resolveDefaultsModeConfig, loadConfig, NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS, resolveRegionConfig } = __webpack_require__(7291);
const { BinaryDecisionDiagram, EndpointCache, decideEndpoint, customEndpointFunctions, resolveEndpointConfig, getEndpointPlugin } = __webpack_require__(2085);
const { parseUrl, getHttpHandlerExtensionConfiguration, resolveHttpHandlerRuntimeConfig, getContentLengthPlugin } = __webpack_require__(3422);
const { DEFAULT_RETRY_MODE, NODE_RETRY_MODE_CONFIG_OPTIONS, NODE_MAX_ATTEMPT_CONFIG_OPTIONS, resolveRetryConfig, getRetryPlugin } = __webpack_require__(3609);
const { TypeRegistry, getSchemaSerdePlugin } = __webpack_require__(6890);
const { resolveAwsSdkSigV4Config, AwsSdkSigV4Signer, NODE_AUTH_SCHEME_PREFERENCE_OPTIONS } = __webpack_require__(7523);
const { defaultProvider } = __webpack_require__(5861);
const { toUtf8, fromUtf8, toBase64, fromBase64, calculateBodyLength } = __webpack_require__(2430);
const { streamCollector, NodeHttpHandler } = __webpack_require__(1279);
const { AwsRestJsonProtocol } = __webpack_require__(7288);
const { Sha256 } = __webpack_require__(9542);

const defaultAmplifyHttpAuthSchemeParametersProvider = async (config, context, input) => {
    return {
        operation: getSmithyContext(context).operation,
        region: await normalizeProvider(config.region)() || (() => {
            throw new Error("expected `region` to be configured for `aws.auth#sigv4`");
        })(),
    };
};
function createAwsAuthSigv4HttpAuthOption(authParameters) {
    return {
        schemeId: "aws.auth#sigv4",
        signingProperties: {
            name: "amplify",
            region: authParameters.region,
        },
        propertiesExtractor: (config, context) => ({
            signingProperties: {
                config,
                context,
            },
        }),
    };
}
const defaultAmplifyHttpAuthSchemeProvider = (authParameters) => {
    const options = [];
    switch (authParameters.operation) {
        default: {
            options.push(createAwsAuthSigv4HttpAuthOption(authParameters));
        }
    }
    return options;
};
const resolveHttpAuthSchemeConfig = (config) => {
    const config_0 = resolveAwsSdkSigV4Config(config);
    return Object.assign(config_0, {
        authSchemePreference: normalizeProvider(config.authSchemePreference ?? []),
    });
};

const resolveClientEndpointParameters = (options) => {
    return Object.assign(options, {
        useDualstackEndpoint: options.useDualstackEndpoint ?? false,
        useFipsEndpoint: options.useFipsEndpoint ?? false,
        defaultSigningName: "amplify",
    });
};
const commonParams = {
    UseFIPS: { type: "builtInParams", name: "useFipsEndpoint" },
    Endpoint: { type: "builtInParams", name: "endpoint" },
    Region: { type: "builtInParams", name: "region" },
    UseDualStack: { type: "builtInParams", name: "useDualstackEndpoint" },
};

var version = "3.1168.0";
var packageInfo = {
	version: version};

const k = "ref";
const a = -1, b = true, c = "isSet", d = "PartitionResult", e = "booleanEquals", f = "getAttr", g = { [k]: "Endpoint" }, h = { [k]: d }, i = {}, j = [{ [k]: "Region" }];
const _data = {
    conditions: [
        [c, [g]],
        [c, j],
        ["aws.partition", j, d],
        [e, [{ [k]: "UseFIPS" }, b]],
        [e, [{ [k]: "UseDualStack" }, b]],
        [e, [{ fn: f, argv: [h, "supportsDualStack"] }, b]],
        [e, [{ fn: f, argv: [h, "supportsFIPS"] }, b]]
    ],
    results: [
        [a],
        [a, "Invalid Configuration: FIPS and custom endpoint are not supported"],
        [a, "Invalid Configuration: Dualstack and custom endpoint are not supported"],
        [g, i],
        ["https://amplify-fips.{Region}.{PartitionResult#dualStackDnsSuffix}", i],
        [a, "FIPS and DualStack are enabled, but this partition does not support one or both"],
        ["https://amplify-fips.{Region}.{PartitionResult#dnsSuffix}", i],
        [a, "FIPS is enabled but this partition does not support FIPS"],
        ["https://amplify.{Region}.{PartitionResult#dualStackDnsSuffix}", i],
        [a, "DualStack is enabled but this partition does not support DualStack"],
        ["https://amplify.{Region}.{PartitionResult#dnsSuffix}", i],
        [a, "Invalid Configuration: Missing Region"]
    ]
};
const root = 2;
const r = 100_000_000;
const nodes = new Int32Array([
    -1, 1, -1,
    0, 12, 3,
    1, 4, r + 11,
    2, 5, r + 11,
    3, 8, 6,
    4, 7, r + 10,
    5, r + 8, r + 9,
    4, 10, 9,
    6, r + 6, r + 7,
    5, 11, r + 5,
    6, r + 4, r + 5,
    3, r + 1, 13,
    4, r + 2, r + 3,
]);
const bdd = BinaryDecisionDiagram.from(nodes, root, _data.conditions, _data.results);

const cache = new EndpointCache({
    size: 50,
    params: ["Endpoint", "Region", "UseDualStack", "UseFIPS"],
});
const defaultEndpointResolver = (endpointParams, context = {}) => {
    return cache.get(endpointParams, () => decideEndpoint(bdd, {
        endpointParams: endpointParams,
        logger: context.logger,
    }));
};
customEndpointFunctions.aws = awsEndpointFunctions;

class AmplifyServiceException extends ServiceException {
    static shapeId = "smithy.ts.sdk.synthetic.com.amazonaws.amplify#AmplifyServiceException";
    constructor(options) {
        super(options);
        Object.setPrototypeOf(this, AmplifyServiceException.prototype);
    }
}

class BadRequestException extends AmplifyServiceException {
    static shapeId = "com.amazonaws.amplify#BadRequestException";
    name = "BadRequestException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "BadRequestException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, BadRequestException.prototype);
    }
}
class DependentServiceFailureException extends AmplifyServiceException {
    static shapeId = "com.amazonaws.amplify#DependentServiceFailureException";
    name = "DependentServiceFailureException";
    $fault = "server";
    constructor(opts) {
        super({
            name: "DependentServiceFailureException",
            $fault: "server",
            ...opts,
        });
        Object.setPrototypeOf(this, DependentServiceFailureException.prototype);
    }
}
class InternalFailureException extends AmplifyServiceException {
    static shapeId = "com.amazonaws.amplify#InternalFailureException";
    name = "InternalFailureException";
    $fault = "server";
    constructor(opts) {
        super({
            name: "InternalFailureException",
            $fault: "server",
            ...opts,
        });
        Object.setPrototypeOf(this, InternalFailureException.prototype);
    }
}
class LimitExceededException extends AmplifyServiceException {
    static shapeId = "com.amazonaws.amplify#LimitExceededException";
    name = "LimitExceededException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "LimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, LimitExceededException.prototype);
    }
}
class UnauthorizedException extends AmplifyServiceException {
    static shapeId = "com.amazonaws.amplify#UnauthorizedException";
    name = "UnauthorizedException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "UnauthorizedException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, UnauthorizedException.prototype);
    }
}
class NotFoundException extends AmplifyServiceException {
    static shapeId = "com.amazonaws.amplify#NotFoundException";
    name = "NotFoundException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "NotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, NotFoundException.prototype);
    }
}
class ResourceNotFoundException extends AmplifyServiceException {
    static shapeId = "com.amazonaws.amplify#ResourceNotFoundException";
    name = "ResourceNotFoundException";
    $fault = "client";
    code;
    constructor(opts) {
        super({
            name: "ResourceNotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourceNotFoundException.prototype);
        this.code = opts.code;
    }
}

const _A = "App";
const _ABCC = "AutoBranchCreationConfig";
const _AT = "AccessToken";
const _Ap = "Apps";
const _Ar = "Artifact";
const _Art = "Artifacts";
const _B = "Backend";
const _BAC = "BasicAuthCredentials";
const _BE = "BackendEnvironment";
const _BEa = "BackendEnvironments";
const _BRE = "BadRequestException";
const _BS = "BuildSpec";
const _Br = "Branch";
const _Bra = "Branches";
const _C = "Certificate";
const _CA = "CreateApp";
const _CAR = "CreateAppRequest";
const _CARr = "CreateAppResult";
const _CB = "CreateBranch";
const _CBE = "CreateBackendEnvironment";
const _CBER = "CreateBackendEnvironmentRequest";
const _CBERr = "CreateBackendEnvironmentResult";
const _CBR = "CreateBranchRequest";
const _CBRr = "CreateBranchResult";
const _CC = "CacheConfig";
const _CD = "CreateDeployment";
const _CDA = "CreateDomainAssociation";
const _CDAR = "CreateDomainAssociationRequest";
const _CDARr = "CreateDomainAssociationResult";
const _CDR = "CreateDeploymentRequest";
const _CDRr = "CreateDeploymentResult";
const _CR = "CustomRule";
const _CRu = "CustomRules";
const _CS = "CertificateSettings";
const _CW = "CreateWebhook";
const _CWR = "CreateWebhookRequest";
const _CWRr = "CreateWebhookResult";
const _DA = "DomainAssociation";
const _DAR = "DeleteAppRequest";
const _DARe = "DeleteAppResult";
const _DAe = "DeleteApp";
const _DAo = "DomainAssociations";
const _DB = "DeleteBranch";
const _DBE = "DeleteBackendEnvironment";
const _DBER = "DeleteBackendEnvironmentRequest";
const _DBERe = "DeleteBackendEnvironmentResult";
const _DBR = "DeleteBranchRequest";
const _DBRe = "DeleteBranchResult";
const _DDA = "DeleteDomainAssociation";
const _DDAR = "DeleteDomainAssociationRequest";
const _DDARe = "DeleteDomainAssociationResult";
const _DJ = "DeleteJob";
const _DJR = "DeleteJobRequest";
const _DJRe = "DeleteJobResult";
const _DSFE = "DependentServiceFailureException";
const _DW = "DeleteWebhook";
const _DWR = "DeleteWebhookRequest";
const _DWRe = "DeleteWebhookResult";
const _GA = "GetApp";
const _GAL = "GenerateAccessLogs";
const _GALR = "GenerateAccessLogsRequest";
const _GALRe = "GenerateAccessLogsResult";
const _GAR = "GetAppRequest";
const _GARe = "GetAppResult";
const _GAU = "GetArtifactUrl";
const _GAUR = "GetArtifactUrlRequest";
const _GAURe = "GetArtifactUrlResult";
const _GB = "GetBranch";
const _GBE = "GetBackendEnvironment";
const _GBER = "GetBackendEnvironmentRequest";
const _GBERe = "GetBackendEnvironmentResult";
const _GBR = "GetBranchRequest";
const _GBRe = "GetBranchResult";
const _GDA = "GetDomainAssociation";
const _GDAR = "GetDomainAssociationRequest";
const _GDARe = "GetDomainAssociationResult";
const _GJ = "GetJob";
const _GJR = "GetJobRequest";
const _GJRe = "GetJobResult";
const _GW = "GetWebhook";
const _GWR = "GetWebhookRequest";
const _GWRe = "GetWebhookResult";
const _IFE = "InternalFailureException";
const _J = "Job";
const _JC = "JobConfig";
const _JS = "JobSummary";
const _JSo = "JobSummaries";
const _LA = "ListApps";
const _LAR = "ListAppsRequest";
const _LARi = "ListAppsResult";
const _LARis = "ListArtifactsRequest";
const _LARist = "ListArtifactsResult";
const _LAi = "ListArtifacts";
const _LB = "ListBranches";
const _LBE = "ListBackendEnvironments";
const _LBER = "ListBackendEnvironmentsRequest";
const _LBERi = "ListBackendEnvironmentsResult";
const _LBR = "ListBranchesRequest";
const _LBRi = "ListBranchesResult";
const _LDA = "ListDomainAssociations";
const _LDAR = "ListDomainAssociationsRequest";
const _LDARi = "ListDomainAssociationsResult";
const _LEE = "LimitExceededException";
const _LJ = "ListJobs";
const _LJR = "ListJobsRequest";
const _LJRi = "ListJobsResult";
const _LTFR = "ListTagsForResource";
const _LTFRR = "ListTagsForResourceRequest";
const _LTFRRi = "ListTagsForResourceResponse";
const _LW = "ListWebhooks";
const _LWR = "ListWebhooksRequest";
const _LWRi = "ListWebhooksResult";
const _NFE = "NotFoundException";
const _OT = "OauthToken";
const _PB = "ProductionBranch";
const _RNFE = "ResourceNotFoundException";
const _S = "Step";
const _SD = "SubDomain";
const _SDR = "StartDeploymentRequest";
const _SDRt = "StartDeploymentResult";
const _SDS = "SubDomainSetting";
const _SDSu = "SubDomainSettings";
const _SDt = "StartDeployment";
const _SDu = "SubDomains";
const _SJ = "StartJob";
const _SJR = "StartJobRequest";
const _SJRt = "StartJobResult";
const _SJRto = "StopJobRequest";
const _SJRtop = "StopJobResult";
const _SJt = "StopJob";
const _St = "Steps";
const _TR = "TagResource";
const _TRR = "TagResourceRequest";
const _TRRa = "TagResourceResponse";
const _UA = "UpdateApp";
const _UAR = "UpdateAppRequest";
const _UARp = "UpdateAppResult";
const _UB = "UpdateBranch";
const _UBR = "UpdateBranchRequest";
const _UBRp = "UpdateBranchResult";
const _UDA = "UpdateDomainAssociation";
const _UDAR = "UpdateDomainAssociationRequest";
const _UDARp = "UpdateDomainAssociationResult";
const _UE = "UnauthorizedException";
const _UR = "UntagResource";
const _URR = "UntagResourceRequest";
const _URRn = "UntagResourceResponse";
const _UW = "UpdateWebhook";
const _UWR = "UpdateWebhookRequest";
const _UWRp = "UpdateWebhookResult";
const _W = "Webhook";
const _WC = "WafConfiguration";
const _We = "Webhooks";
const _a = "app";
const _aA = "appArn";
const _aBCC = "autoBranchCreationConfig";
const _aBCP = "autoBranchCreationPatterns";
const _aFN = "artifactFileName";
const _aI = "appId";
const _aIr = "artifactId";
const _aJI = "activeJobId";
const _aR = "associatedResources";
const _aSDCP = "autoSubDomainCreationPatterns";
const _aSDIAMR = "autoSubDomainIAMRole";
const _aT = "accessToken";
const _aU = "artifactUrl";
const _aUr = "artifactsUrl";
const _ap = "apps";
const _ar = "artifacts";
const _b = "backend";
const _bA = "branchArn";
const _bAC = "basicAuthCredentials";
const _bCT = "buildComputeType";
const _bE = "backendEnvironment";
const _bEA = "backendEnvironmentArn";
const _bEa = "backendEnvironments";
const _bN = "branchName";
const _bS = "buildSpec";
const _br = "branch";
const _bra = "branches";
const _c = "client";
const _cC = "cacheConfig";
const _cCA = "customCertificateArn";
const _cD = "customDomains";
const _cH = "customHeaders";
const _cI = "commitId";
const _cM = "commitMessage";
const _cR = "customRules";
const _cRA = "computeRoleArn";
const _cS = "certificateSettings";
const _cT = "createTime";
const _cTo = "commitTime";
const _cVDNSR = "certificateVerificationDNSRecord";
const _ce = "certificate";
const _co = "code";
const _con = "condition";
const _cont = "context";
const _d = "description";
const _dA = "deploymentArtifacts";
const _dAA = "domainAssociationArn";
const _dAo = "domainAssociation";
const _dAom = "domainAssociations";
const _dB = "destinationBranch";
const _dD = "defaultDomain";
const _dN = "displayName";
const _dNo = "domainName";
const _dR = "dnsRecord";
const _dS = "domainStatus";
const _e = "error";
const _eAB = "enableAutoBuild";
const _eABC = "enableAutoBranchCreation";
const _eASD = "enableAutoSubDomain";
const _eBA = "enableBasicAuth";
const _eBAB = "enableBranchAutoBuild";
const _eBAD = "enableBranchAutoDeletion";
const _eN = "environmentName";
const _eNn = "enableNotification";
const _ePM = "enablePerformanceMode";
const _ePRP = "enablePullRequestPreview";
const _eSP = "enableSkewProtection";
const _eT = "endTime";
const _eV = "environmentVariables";
const _f = "framework";
const _fM = "fileMap";
const _fUU = "fileUploadUrls";
const _h = "http";
const _hE = "httpError";
const _hQ = "httpQuery";
const _iSRA = "iamServiceRoleArn";
const _j = "job";
const _jA = "jobArn";
const _jC = "jobConfig";
const _jI = "jobId";
const _jR = "jobReason";
const _jS = "jobSummary";
const _jSo = "jobSummaries";
const _jT = "jobType";
const _lDT = "lastDeployTime";
const _lU = "logUrl";
const _m = "message";
const _mR = "maxResults";
const _n = "name";
const _nT = "nextToken";
const _oT = "oauthToken";
const _p = "platform";
const _pB = "productionBranch";
const _pREN = "pullRequestEnvironmentName";
const _pr = "prefix";
const _r = "repository";
const _rA = "resourceArn";
const _rCM = "repositoryCloneMethod";
const _s = "smithy.ts.sdk.synthetic.com.amazonaws.amplify";
const _sA = "stackArn";
const _sB = "sourceBranch";
const _sD = "subDomains";
const _sDS = "subDomainSettings";
const _sDSu = "subDomainSetting";
const _sN = "stackName";
const _sNt = "stepName";
const _sR = "statusReason";
const _sT = "startTime";
const _sU = "sourceUrl";
const _sUT = "sourceUrlType";
const _sc = "screenshots";
const _se = "server";
const _so = "source";
const _st = "stage";
const _sta = "status";
const _ste = "steps";
const _su = "summary";
const _t = "tags";
const _tAU = "testArtifactsUrl";
const _tCU = "testConfigUrl";
const _tK = "tagKeys";
const _tNOJ = "totalNumberOfJobs";
const _tU = "thumbnailUrl";
const _ta = "target";
const _tt = "ttl";
const _ty = "type";
const _uS = "updateStatus";
const _uT = "updateTime";
const _v = "verified";
const _w = "webhook";
const _wA = "webhookArn";
const _wAA = "webAclArn";
const _wC = "wafConfiguration";
const _wCT = "webhookCreateTime";
const _wI = "webhookId";
const _wS = "wafStatus";
const _wU = "webhookUrl";
const _we = "webhooks";
const _zUU = "zipUploadUrl";
const n0 = "com.amazonaws.amplify";
const _s_registry = new TypeRegistry(_s);
var AmplifyServiceException$ = [-3, _s, "AmplifyServiceException", 0, [], []];
_s_registry.registerError(AmplifyServiceException$, AmplifyServiceException);
const n0_registry = new TypeRegistry(n0);
var BadRequestException$ = [-3, n0, _BRE,
    { [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(BadRequestException$, BadRequestException);
var DependentServiceFailureException$ = [-3, n0, _DSFE,
    { [_e]: _se, [_hE]: 503 },
    [_m],
    [0]
];
n0_registry.registerError(DependentServiceFailureException$, DependentServiceFailureException);
var InternalFailureException$ = [-3, n0, _IFE,
    { [_e]: _se, [_hE]: 500 },
    [_m],
    [0]
];
n0_registry.registerError(InternalFailureException$, InternalFailureException);
var LimitExceededException$ = [-3, n0, _LEE,
    { [_e]: _c, [_hE]: 429 },
    [_m],
    [0]
];
n0_registry.registerError(LimitExceededException$, LimitExceededException);
var NotFoundException$ = [-3, n0, _NFE,
    { [_e]: _c, [_hE]: 404 },
    [_m],
    [0]
];
n0_registry.registerError(NotFoundException$, NotFoundException);
var ResourceNotFoundException$ = [-3, n0, _RNFE,
    { [_e]: _c, [_hE]: 404 },
    [_co, _m],
    [0, 0], 2
];
n0_registry.registerError(ResourceNotFoundException$, ResourceNotFoundException);
var UnauthorizedException$ = [-3, n0, _UE,
    { [_e]: _c, [_hE]: 401 },
    [_m],
    [0]
];
n0_registry.registerError(UnauthorizedException$, UnauthorizedException);
const errorTypeRegistries = [
    _s_registry,
    n0_registry,
];
var AccessToken = [0, n0, _AT, 8, 0];
var BasicAuthCredentials = [0, n0, _BAC, 8, 0];
var BuildSpec = [0, n0, _BS, 8, 0];
var OauthToken = [0, n0, _OT, 8, 0];
var App$ = [3, n0, _A,
    0,
    [_aI, _aA, _n, _d, _r, _p, _cT, _uT, _eV, _dD, _eBAB, _eBA, _t, _cRA, _iSRA, _eBAD, _bAC, _cR, _pB, _bS, _cH, _eABC, _aBCP, _aBCC, _rCM, _cC, _wCT, _wC, _jC],
    [0, 0, 0, 0, 0, 0, 4, 4, 128 | 0, 0, 2, 2, 128 | 0, 0, 0, 2, [() => BasicAuthCredentials, 0], () => CustomRules, () => ProductionBranch$, [() => BuildSpec, 0], 0, 2, 64 | 0, [() => AutoBranchCreationConfig$, 0], 0, () => CacheConfig$, 4, () => WafConfiguration$, () => JobConfig$], 12
];
var Artifact$ = [3, n0, _Ar,
    0,
    [_aFN, _aIr],
    [0, 0], 2
];
var AutoBranchCreationConfig$ = [3, n0, _ABCC,
    0,
    [_st, _f, _eAB, _eV, _bAC, _eBA, _ePM, _bS, _ePRP, _pREN],
    [0, 0, 2, 128 | 0, [() => BasicAuthCredentials, 0], 2, 2, [() => BuildSpec, 0], 2, 0]
];
var Backend$ = [3, n0, _B,
    0,
    [_sA],
    [0]
];
var BackendEnvironment$ = [3, n0, _BE,
    0,
    [_bEA, _eN, _cT, _uT, _sN, _dA],
    [0, 0, 4, 4, 0, 0], 4
];
var Branch$ = [3, n0, _Br,
    0,
    [_bA, _bN, _d, _st, _dN, _eNn, _cT, _uT, _eV, _eAB, _cD, _f, _aJI, _tNOJ, _eBA, _tt, _ePRP, _t, _eSP, _ePM, _tU, _bAC, _bS, _aR, _pREN, _dB, _sB, _bEA, _b, _cRA],
    [0, 0, 0, 0, 0, 2, 4, 4, 128 | 0, 2, 64 | 0, 0, 0, 0, 2, 0, 2, 128 | 0, 2, 2, 0, [() => BasicAuthCredentials, 0], [() => BuildSpec, 0], 64 | 0, 0, 0, 0, 0, () => Backend$, 0], 17
];
var CacheConfig$ = [3, n0, _CC,
    0,
    [_ty],
    [0], 1
];
var Certificate$ = [3, n0, _C,
    0,
    [_ty, _cCA, _cVDNSR],
    [0, 0, 0], 1
];
var CertificateSettings$ = [3, n0, _CS,
    0,
    [_ty, _cCA],
    [0, 0], 1
];
var CreateAppRequest$ = [3, n0, _CAR,
    0,
    [_n, _d, _r, _p, _cRA, _iSRA, _oT, _aT, _eV, _eBAB, _eBAD, _eBA, _bAC, _cR, _t, _bS, _cH, _eABC, _aBCP, _aBCC, _jC, _cC],
    [0, 0, 0, 0, 0, 0, [() => OauthToken, 0], [() => AccessToken, 0], 128 | 0, 2, 2, 2, [() => BasicAuthCredentials, 0], () => CustomRules, 128 | 0, [() => BuildSpec, 0], 0, 2, 64 | 0, [() => AutoBranchCreationConfig$, 0], () => JobConfig$, () => CacheConfig$], 1
];
var CreateAppResult$ = [3, n0, _CARr,
    0,
    [_a],
    [[() => App$, 0]], 1
];
var CreateBackendEnvironmentRequest$ = [3, n0, _CBER,
    0,
    [_aI, _eN, _sN, _dA],
    [[0, 1], 0, 0, 0], 2
];
var CreateBackendEnvironmentResult$ = [3, n0, _CBERr,
    0,
    [_bE],
    [() => BackendEnvironment$], 1
];
var CreateBranchRequest$ = [3, n0, _CBR,
    0,
    [_aI, _bN, _d, _st, _f, _eNn, _eAB, _eSP, _eV, _bAC, _eBA, _ePM, _t, _bS, _tt, _dN, _ePRP, _pREN, _bEA, _b, _cRA],
    [[0, 1], 0, 0, 0, 0, 2, 2, 2, 128 | 0, [() => BasicAuthCredentials, 0], 2, 2, 128 | 0, [() => BuildSpec, 0], 0, 0, 2, 0, 0, () => Backend$, 0], 2
];
var CreateBranchResult$ = [3, n0, _CBRr,
    0,
    [_br],
    [[() => Branch$, 0]], 1
];
var CreateDeploymentRequest$ = [3, n0, _CDR,
    0,
    [_aI, _bN, _fM],
    [[0, 1], [0, 1], 128 | 0], 2
];
var CreateDeploymentResult$ = [3, n0, _CDRr,
    0,
    [_fUU, _zUU, _jI],
    [128 | 0, 0, 0], 2
];
var CreateDomainAssociationRequest$ = [3, n0, _CDAR,
    0,
    [_aI, _dNo, _sDS, _eASD, _aSDCP, _aSDIAMR, _cS],
    [[0, 1], 0, () => SubDomainSettings, 2, 64 | 0, 0, () => CertificateSettings$], 3
];
var CreateDomainAssociationResult$ = [3, n0, _CDARr,
    0,
    [_dAo],
    [() => DomainAssociation$], 1
];
var CreateWebhookRequest$ = [3, n0, _CWR,
    0,
    [_aI, _bN, _d],
    [[0, 1], 0, 0], 2
];
var CreateWebhookResult$ = [3, n0, _CWRr,
    0,
    [_w],
    [() => Webhook$], 1
];
var CustomRule$ = [3, n0, _CR,
    0,
    [_so, _ta, _sta, _con],
    [0, 0, 0, 0], 2
];
var DeleteAppRequest$ = [3, n0, _DAR,
    0,
    [_aI],
    [[0, 1]], 1
];
var DeleteAppResult$ = [3, n0, _DARe,
    0,
    [_a],
    [[() => App$, 0]], 1
];
var DeleteBackendEnvironmentRequest$ = [3, n0, _DBER,
    0,
    [_aI, _eN],
    [[0, 1], [0, 1]], 2
];
var DeleteBackendEnvironmentResult$ = [3, n0, _DBERe,
    0,
    [_bE],
    [() => BackendEnvironment$], 1
];
var DeleteBranchRequest$ = [3, n0, _DBR,
    0,
    [_aI, _bN],
    [[0, 1], [0, 1]], 2
];
var DeleteBranchResult$ = [3, n0, _DBRe,
    0,
    [_br],
    [[() => Branch$, 0]], 1
];
var DeleteDomainAssociationRequest$ = [3, n0, _DDAR,
    0,
    [_aI, _dNo],
    [[0, 1], [0, 1]], 2
];
var DeleteDomainAssociationResult$ = [3, n0, _DDARe,
    0,
    [_dAo],
    [() => DomainAssociation$], 1
];
var DeleteJobRequest$ = [3, n0, _DJR,
    0,
    [_aI, _bN, _jI],
    [[0, 1], [0, 1], [0, 1]], 3
];
var DeleteJobResult$ = [3, n0, _DJRe,
    0,
    [_jS],
    [() => JobSummary$], 1
];
var DeleteWebhookRequest$ = [3, n0, _DWR,
    0,
    [_wI],
    [[0, 1]], 1
];
var DeleteWebhookResult$ = [3, n0, _DWRe,
    0,
    [_w],
    [() => Webhook$], 1
];
var DomainAssociation$ = [3, n0, _DA,
    0,
    [_dAA, _dNo, _eASD, _dS, _sR, _sD, _aSDCP, _aSDIAMR, _uS, _cVDNSR, _ce],
    [0, 0, 2, 0, 0, () => SubDomains, 64 | 0, 0, 0, 0, () => Certificate$], 6
];
var GenerateAccessLogsRequest$ = [3, n0, _GALR,
    0,
    [_dNo, _aI, _sT, _eT],
    [0, [0, 1], 4, 4], 2
];
var GenerateAccessLogsResult$ = [3, n0, _GALRe,
    0,
    [_lU],
    [0]
];
var GetAppRequest$ = [3, n0, _GAR,
    0,
    [_aI],
    [[0, 1]], 1
];
var GetAppResult$ = [3, n0, _GARe,
    0,
    [_a],
    [[() => App$, 0]], 1
];
var GetArtifactUrlRequest$ = [3, n0, _GAUR,
    0,
    [_aIr],
    [[0, 1]], 1
];
var GetArtifactUrlResult$ = [3, n0, _GAURe,
    0,
    [_aIr, _aU],
    [0, 0], 2
];
var GetBackendEnvironmentRequest$ = [3, n0, _GBER,
    0,
    [_aI, _eN],
    [[0, 1], [0, 1]], 2
];
var GetBackendEnvironmentResult$ = [3, n0, _GBERe,
    0,
    [_bE],
    [() => BackendEnvironment$], 1
];
var GetBranchRequest$ = [3, n0, _GBR,
    0,
    [_aI, _bN],
    [[0, 1], [0, 1]], 2
];
var GetBranchResult$ = [3, n0, _GBRe,
    0,
    [_br],
    [[() => Branch$, 0]], 1
];
var GetDomainAssociationRequest$ = [3, n0, _GDAR,
    0,
    [_aI, _dNo],
    [[0, 1], [0, 1]], 2
];
var GetDomainAssociationResult$ = [3, n0, _GDARe,
    0,
    [_dAo],
    [() => DomainAssociation$], 1
];
var GetJobRequest$ = [3, n0, _GJR,
    0,
    [_aI, _bN, _jI],
    [[0, 1], [0, 1], [0, 1]], 3
];
var GetJobResult$ = [3, n0, _GJRe,
    0,
    [_j],
    [() => Job$], 1
];
var GetWebhookRequest$ = [3, n0, _GWR,
    0,
    [_wI],
    [[0, 1]], 1
];
var GetWebhookResult$ = [3, n0, _GWRe,
    0,
    [_w],
    [() => Webhook$], 1
];
var Job$ = [3, n0, _J,
    0,
    [_su, _ste],
    [() => JobSummary$, () => Steps], 2
];
var JobConfig$ = [3, n0, _JC,
    0,
    [_bCT],
    [0], 1
];
var JobSummary$ = [3, n0, _JS,
    0,
    [_jA, _jI, _cI, _cM, _cTo, _sT, _sta, _jT, _eT, _sU, _sUT],
    [0, 0, 0, 0, 4, 4, 0, 0, 4, 0, 0], 8
];
var ListAppsRequest$ = [3, n0, _LAR,
    0,
    [_nT, _mR],
    [[0, { [_hQ]: _nT }], [1, { [_hQ]: _mR }]]
];
var ListAppsResult$ = [3, n0, _LARi,
    0,
    [_ap, _nT],
    [[() => Apps, 0], 0], 1
];
var ListArtifactsRequest$ = [3, n0, _LARis,
    0,
    [_aI, _bN, _jI, _nT, _mR],
    [[0, 1], [0, 1], [0, 1], [0, { [_hQ]: _nT }], [1, { [_hQ]: _mR }]], 3
];
var ListArtifactsResult$ = [3, n0, _LARist,
    0,
    [_ar, _nT],
    [() => Artifacts, 0], 1
];
var ListBackendEnvironmentsRequest$ = [3, n0, _LBER,
    0,
    [_aI, _eN, _nT, _mR],
    [[0, 1], [0, { [_hQ]: _eN }], [0, { [_hQ]: _nT }], [1, { [_hQ]: _mR }]], 1
];
var ListBackendEnvironmentsResult$ = [3, n0, _LBERi,
    0,
    [_bEa, _nT],
    [() => BackendEnvironments, 0], 1
];
var ListBranchesRequest$ = [3, n0, _LBR,
    0,
    [_aI, _nT, _mR],
    [[0, 1], [0, { [_hQ]: _nT }], [1, { [_hQ]: _mR }]], 1
];
var ListBranchesResult$ = [3, n0, _LBRi,
    0,
    [_bra, _nT],
    [[() => Branches, 0], 0], 1
];
var ListDomainAssociationsRequest$ = [3, n0, _LDAR,
    0,
    [_aI, _nT, _mR],
    [[0, 1], [0, { [_hQ]: _nT }], [1, { [_hQ]: _mR }]], 1
];
var ListDomainAssociationsResult$ = [3, n0, _LDARi,
    0,
    [_dAom, _nT],
    [() => DomainAssociations, 0], 1
];
var ListJobsRequest$ = [3, n0, _LJR,
    0,
    [_aI, _bN, _nT, _mR],
    [[0, 1], [0, 1], [0, { [_hQ]: _nT }], [1, { [_hQ]: _mR }]], 2
];
var ListJobsResult$ = [3, n0, _LJRi,
    0,
    [_jSo, _nT],
    [() => JobSummaries, 0], 1
];
var ListTagsForResourceRequest$ = [3, n0, _LTFRR,
    0,
    [_rA],
    [[0, 1]], 1
];
var ListTagsForResourceResponse$ = [3, n0, _LTFRRi,
    0,
    [_t],
    [128 | 0]
];
var ListWebhooksRequest$ = [3, n0, _LWR,
    0,
    [_aI, _nT, _mR],
    [[0, 1], [0, { [_hQ]: _nT }], [1, { [_hQ]: _mR }]], 1
];
var ListWebhooksResult$ = [3, n0, _LWRi,
    0,
    [_we, _nT],
    [() => Webhooks, 0], 1
];
var ProductionBranch$ = [3, n0, _PB,
    0,
    [_lDT, _sta, _tU, _bN],
    [4, 0, 0, 0]
];
var StartDeploymentRequest$ = [3, n0, _SDR,
    0,
    [_aI, _bN, _jI, _sU, _sUT],
    [[0, 1], [0, 1], 0, 0, 0], 2
];
var StartDeploymentResult$ = [3, n0, _SDRt,
    0,
    [_jS],
    [() => JobSummary$], 1
];
var StartJobRequest$ = [3, n0, _SJR,
    0,
    [_aI, _bN, _jT, _jI, _jR, _cI, _cM, _cTo],
    [[0, 1], [0, 1], 0, 0, 0, 0, 0, 4], 3
];
var StartJobResult$ = [3, n0, _SJRt,
    0,
    [_jS],
    [() => JobSummary$], 1
];
var Step$ = [3, n0, _S,
    0,
    [_sNt, _sT, _sta, _eT, _lU, _aUr, _tAU, _tCU, _sc, _sR, _cont],
    [0, 4, 0, 4, 0, 0, 0, 0, 128 | 0, 0, 0], 4
];
var StopJobRequest$ = [3, n0, _SJRto,
    0,
    [_aI, _bN, _jI],
    [[0, 1], [0, 1], [0, 1]], 3
];
var StopJobResult$ = [3, n0, _SJRtop,
    0,
    [_jS],
    [() => JobSummary$], 1
];
var SubDomain$ = [3, n0, _SD,
    0,
    [_sDSu, _v, _dR],
    [() => SubDomainSetting$, 2, 0], 3
];
var SubDomainSetting$ = [3, n0, _SDS,
    0,
    [_pr, _bN],
    [0, 0], 2
];
var TagResourceRequest$ = [3, n0, _TRR,
    0,
    [_rA, _t],
    [[0, 1], 128 | 0], 2
];
var TagResourceResponse$ = [3, n0, _TRRa,
    0,
    [],
    []
];
var UntagResourceRequest$ = [3, n0, _URR,
    0,
    [_rA, _tK],
    [[0, 1], [64 | 0, { [_hQ]: _tK }]], 2
];
var UntagResourceResponse$ = [3, n0, _URRn,
    0,
    [],
    []
];
var UpdateAppRequest$ = [3, n0, _UAR,
    0,
    [_aI, _n, _d, _p, _cRA, _iSRA, _eV, _eBAB, _eBAD, _eBA, _bAC, _cR, _bS, _cH, _eABC, _aBCP, _aBCC, _r, _oT, _aT, _jC, _cC],
    [[0, 1], 0, 0, 0, 0, 0, 128 | 0, 2, 2, 2, [() => BasicAuthCredentials, 0], () => CustomRules, [() => BuildSpec, 0], 0, 2, 64 | 0, [() => AutoBranchCreationConfig$, 0], 0, [() => OauthToken, 0], [() => AccessToken, 0], () => JobConfig$, () => CacheConfig$], 1
];
var UpdateAppResult$ = [3, n0, _UARp,
    0,
    [_a],
    [[() => App$, 0]], 1
];
var UpdateBranchRequest$ = [3, n0, _UBR,
    0,
    [_aI, _bN, _d, _f, _st, _eNn, _eAB, _eSP, _eV, _bAC, _eBA, _ePM, _bS, _tt, _dN, _ePRP, _pREN, _bEA, _b, _cRA],
    [[0, 1], [0, 1], 0, 0, 0, 2, 2, 2, 128 | 0, [() => BasicAuthCredentials, 0], 2, 2, [() => BuildSpec, 0], 0, 0, 2, 0, 0, () => Backend$, 0], 2
];
var UpdateBranchResult$ = [3, n0, _UBRp,
    0,
    [_br],
    [[() => Branch$, 0]], 1
];
var UpdateDomainAssociationRequest$ = [3, n0, _UDAR,
    0,
    [_aI, _dNo, _eASD, _sDS, _aSDCP, _aSDIAMR, _cS],
    [[0, 1], [0, 1], 2, () => SubDomainSettings, 64 | 0, 0, () => CertificateSettings$], 2
];
var UpdateDomainAssociationResult$ = [3, n0, _UDARp,
    0,
    [_dAo],
    [() => DomainAssociation$], 1
];
var UpdateWebhookRequest$ = [3, n0, _UWR,
    0,
    [_wI, _bN, _d],
    [[0, 1], 0, 0], 1
];
var UpdateWebhookResult$ = [3, n0, _UWRp,
    0,
    [_w],
    [() => Webhook$], 1
];
var WafConfiguration$ = [3, n0, _WC,
    0,
    [_wAA, _wS, _sR],
    [0, 0, 0]
];
var Webhook$ = [3, n0, _W,
    0,
    [_wA, _wI, _wU, _bN, _d, _cT, _uT, _aI],
    [0, 0, 0, 0, 0, 4, 4, 0], 7
];
var Apps = [1, n0, _Ap,
    0, [() => App$,
        0]
];
var Artifacts = [1, n0, _Art,
    0, () => Artifact$
];
var BackendEnvironments = [1, n0, _BEa,
    0, () => BackendEnvironment$
];
var Branches = [1, n0, _Bra,
    0, [() => Branch$,
        0]
];
var CustomRules = [1, n0, _CRu,
    0, () => CustomRule$
];
var DomainAssociations = [1, n0, _DAo,
    0, () => DomainAssociation$
];
var JobSummaries = [1, n0, _JSo,
    0, () => JobSummary$
];
var Steps = [1, n0, _St,
    0, () => Step$
];
var SubDomains = [1, n0, _SDu,
    0, () => SubDomain$
];
var SubDomainSettings = [1, n0, _SDSu,
    0, () => SubDomainSetting$
];
var Webhooks = [1, n0, _We,
    0, () => Webhook$
];
var CreateApp$ = [9, n0, _CA,
    { [_h]: ["POST", "/apps", 200] }, () => CreateAppRequest$, () => CreateAppResult$
];
var CreateBackendEnvironment$ = [9, n0, _CBE,
    { [_h]: ["POST", "/apps/{appId}/backendenvironments", 200] }, () => CreateBackendEnvironmentRequest$, () => CreateBackendEnvironmentResult$
];
var CreateBranch$ = [9, n0, _CB,
    { [_h]: ["POST", "/apps/{appId}/branches", 200] }, () => CreateBranchRequest$, () => CreateBranchResult$
];
var CreateDeployment$ = [9, n0, _CD,
    { [_h]: ["POST", "/apps/{appId}/branches/{branchName}/deployments", 200] }, () => CreateDeploymentRequest$, () => CreateDeploymentResult$
];
var CreateDomainAssociation$ = [9, n0, _CDA,
    { [_h]: ["POST", "/apps/{appId}/domains", 200] }, () => CreateDomainAssociationRequest$, () => CreateDomainAssociationResult$
];
var CreateWebhook$ = [9, n0, _CW,
    { [_h]: ["POST", "/apps/{appId}/webhooks", 200] }, () => CreateWebhookRequest$, () => CreateWebhookResult$
];
var DeleteApp$ = [9, n0, _DAe,
    { [_h]: ["DELETE", "/apps/{appId}", 200] }, () => DeleteAppRequest$, () => DeleteAppResult$
];
var DeleteBackendEnvironment$ = [9, n0, _DBE,
    { [_h]: ["DELETE", "/apps/{appId}/backendenvironments/{environmentName}", 200] }, () => DeleteBackendEnvironmentRequest$, () => DeleteBackendEnvironmentResult$
];
var DeleteBranch$ = [9, n0, _DB,
    { [_h]: ["DELETE", "/apps/{appId}/branches/{branchName}", 200] }, () => DeleteBranchRequest$, () => DeleteBranchResult$
];
var DeleteDomainAssociation$ = [9, n0, _DDA,
    { [_h]: ["DELETE", "/apps/{appId}/domains/{domainName}", 200] }, () => DeleteDomainAssociationRequest$, () => DeleteDomainAssociationResult$
];
var DeleteJob$ = [9, n0, _DJ,
    { [_h]: ["DELETE", "/apps/{appId}/branches/{branchName}/jobs/{jobId}", 200] }, () => DeleteJobRequest$, () => DeleteJobResult$
];
var DeleteWebhook$ = [9, n0, _DW,
    { [_h]: ["DELETE", "/webhooks/{webhookId}", 200] }, () => DeleteWebhookRequest$, () => DeleteWebhookResult$
];
var GenerateAccessLogs$ = [9, n0, _GAL,
    { [_h]: ["POST", "/apps/{appId}/accesslogs", 200] }, () => GenerateAccessLogsRequest$, () => GenerateAccessLogsResult$
];
var GetApp$ = [9, n0, _GA,
    { [_h]: ["GET", "/apps/{appId}", 200] }, () => GetAppRequest$, () => GetAppResult$
];
var GetArtifactUrl$ = [9, n0, _GAU,
    { [_h]: ["GET", "/artifacts/{artifactId}", 200] }, () => GetArtifactUrlRequest$, () => GetArtifactUrlResult$
];
var GetBackendEnvironment$ = [9, n0, _GBE,
    { [_h]: ["GET", "/apps/{appId}/backendenvironments/{environmentName}", 200] }, () => GetBackendEnvironmentRequest$, () => GetBackendEnvironmentResult$
];
var GetBranch$ = [9, n0, _GB,
    { [_h]: ["GET", "/apps/{appId}/branches/{branchName}", 200] }, () => GetBranchRequest$, () => GetBranchResult$
];
var GetDomainAssociation$ = [9, n0, _GDA,
    { [_h]: ["GET", "/apps/{appId}/domains/{domainName}", 200] }, () => GetDomainAssociationRequest$, () => GetDomainAssociationResult$
];
var GetJob$ = [9, n0, _GJ,
    { [_h]: ["GET", "/apps/{appId}/branches/{branchName}/jobs/{jobId}", 200] }, () => GetJobRequest$, () => GetJobResult$
];
var GetWebhook$ = [9, n0, _GW,
    { [_h]: ["GET", "/webhooks/{webhookId}", 200] }, () => GetWebhookRequest$, () => GetWebhookResult$
];
var ListApps$ = [9, n0, _LA,
    { [_h]: ["GET", "/apps", 200] }, () => ListAppsRequest$, () => ListAppsResult$
];
var ListArtifacts$ = [9, n0, _LAi,
    { [_h]: ["GET", "/apps/{appId}/branches/{branchName}/jobs/{jobId}/artifacts", 200] }, () => ListArtifactsRequest$, () => ListArtifactsResult$
];
var ListBackendEnvironments$ = [9, n0, _LBE,
    { [_h]: ["GET", "/apps/{appId}/backendenvironments", 200] }, () => ListBackendEnvironmentsRequest$, () => ListBackendEnvironmentsResult$
];
var ListBranches$ = [9, n0, _LB,
    { [_h]: ["GET", "/apps/{appId}/branches", 200] }, () => ListBranchesRequest$, () => ListBranchesResult$
];
var ListDomainAssociations$ = [9, n0, _LDA,
    { [_h]: ["GET", "/apps/{appId}/domains", 200] }, () => ListDomainAssociationsRequest$, () => ListDomainAssociationsResult$
];
var ListJobs$ = [9, n0, _LJ,
    { [_h]: ["GET", "/apps/{appId}/branches/{branchName}/jobs", 200] }, () => ListJobsRequest$, () => ListJobsResult$
];
var ListTagsForResource$ = [9, n0, _LTFR,
    { [_h]: ["GET", "/tags/{resourceArn}", 200] }, () => ListTagsForResourceRequest$, () => ListTagsForResourceResponse$
];
var ListWebhooks$ = [9, n0, _LW,
    { [_h]: ["GET", "/apps/{appId}/webhooks", 200] }, () => ListWebhooksRequest$, () => ListWebhooksResult$
];
var StartDeployment$ = [9, n0, _SDt,
    { [_h]: ["POST", "/apps/{appId}/branches/{branchName}/deployments/start", 200] }, () => StartDeploymentRequest$, () => StartDeploymentResult$
];
var StartJob$ = [9, n0, _SJ,
    { [_h]: ["POST", "/apps/{appId}/branches/{branchName}/jobs", 200] }, () => StartJobRequest$, () => StartJobResult$
];
var StopJob$ = [9, n0, _SJt,
    { [_h]: ["DELETE", "/apps/{appId}/branches/{branchName}/jobs/{jobId}/stop", 200] }, () => StopJobRequest$, () => StopJobResult$
];
var TagResource$ = [9, n0, _TR,
    { [_h]: ["POST", "/tags/{resourceArn}", 200] }, () => TagResourceRequest$, () => TagResourceResponse$
];
var UntagResource$ = [9, n0, _UR,
    { [_h]: ["DELETE", "/tags/{resourceArn}", 200] }, () => UntagResourceRequest$, () => UntagResourceResponse$
];
var UpdateApp$ = [9, n0, _UA,
    { [_h]: ["POST", "/apps/{appId}", 200] }, () => UpdateAppRequest$, () => UpdateAppResult$
];
var UpdateBranch$ = [9, n0, _UB,
    { [_h]: ["POST", "/apps/{appId}/branches/{branchName}", 200] }, () => UpdateBranchRequest$, () => UpdateBranchResult$
];
var UpdateDomainAssociation$ = [9, n0, _UDA,
    { [_h]: ["POST", "/apps/{appId}/domains/{domainName}", 200] }, () => UpdateDomainAssociationRequest$, () => UpdateDomainAssociationResult$
];
var UpdateWebhook$ = [9, n0, _UW,
    { [_h]: ["POST", "/webhooks/{webhookId}", 200] }, () => UpdateWebhookRequest$, () => UpdateWebhookResult$
];

const getRuntimeConfig$1 = (config) => {
    return {
        apiVersion: "2017-07-25",
        base64Decoder: config?.base64Decoder ?? fromBase64,
        base64Encoder: config?.base64Encoder ?? toBase64,
        disableHostPrefix: config?.disableHostPrefix ?? false,
        endpointProvider: config?.endpointProvider ?? defaultEndpointResolver,
        extensions: config?.extensions ?? [],
        httpAuthSchemeProvider: config?.httpAuthSchemeProvider ?? defaultAmplifyHttpAuthSchemeProvider,
        httpAuthSchemes: config?.httpAuthSchemes ?? [
            {
                schemeId: "aws.auth#sigv4",
                identityProvider: (ipc) => ipc.getIdentityProvider("aws.auth#sigv4"),
                signer: new AwsSdkSigV4Signer(),
            },
        ],
        logger: config?.logger ?? new NoOpLogger(),
        protocol: config?.protocol ?? AwsRestJsonProtocol,
        protocolSettings: config?.protocolSettings ?? {
            defaultNamespace: "com.amazonaws.amplify",
            errorTypeRegistries,
            xmlNamespace: "http://amplify.amazonaws.com",
            version: "2017-07-25",
            serviceTarget: "Amplify",
        },
        serviceId: config?.serviceId ?? "Amplify",
        sha256: config?.sha256 ?? Sha256,
        urlParser: config?.urlParser ?? parseUrl,
        utf8Decoder: config?.utf8Decoder ?? fromUtf8,
        utf8Encoder: config?.utf8Encoder ?? toUtf8,
    };
};

const getRuntimeConfig = (config) => {
    emitWarningIfUnsupportedVersion(process.version);
    const defaultsMode = resolveDefaultsModeConfig(config);
    const defaultConfigProvider = () => defaultsMode().then(loadConfigsForDefaultMode);
    const clientSharedValues = getRuntimeConfig$1(config);
    emitWarningIfUnsupportedVersion$1(process.version);
    const loaderConfig = {
        profile: config?.profile,
        logger: clientSharedValues.logger,
    };
    return {
        ...clientSharedValues,
        ...config,
        runtime: "node",
        defaultsMode,
        authSchemePreference: config?.authSchemePreference ?? loadConfig(NODE_AUTH_SCHEME_PREFERENCE_OPTIONS, loaderConfig),
        bodyLengthChecker: config?.bodyLengthChecker ?? calculateBodyLength,
        credentialDefaultProvider: config?.credentialDefaultProvider ?? defaultProvider,
        defaultSocketTimeout: getDefaultSocketTimeout(config?.requestHandler, 300_000),
        defaultUserAgentProvider: config?.defaultUserAgentProvider ?? createDefaultUserAgentProvider({ serviceId: clientSharedValues.serviceId, clientVersion: packageInfo.version }),
        maxAttempts: config?.maxAttempts ?? loadConfig(NODE_MAX_ATTEMPT_CONFIG_OPTIONS, config),
        region: config?.region ?? loadConfig(NODE_REGION_CONFIG_OPTIONS, { ...NODE_REGION_CONFIG_FILE_OPTIONS, ...loaderConfig }),
        requestHandler: NodeHttpHandler.create(config?.requestHandler ?? defaultConfigProvider),
        retryMode: config?.retryMode ??
            loadConfig({
                ...NODE_RETRY_MODE_CONFIG_OPTIONS,
                default: async () => (await defaultConfigProvider()).retryMode || DEFAULT_RETRY_MODE,
            }, config),
        streamCollector: config?.streamCollector ?? streamCollector,
        useDualstackEndpoint: config?.useDualstackEndpoint ?? loadConfig(NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
        useFipsEndpoint: config?.useFipsEndpoint ?? loadConfig(NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
        userAgentAppId: config?.userAgentAppId ?? loadConfig(NODE_APP_ID_CONFIG_OPTIONS, loaderConfig),
    };
};

const getHttpAuthExtensionConfiguration = (runtimeConfig) => {
    const _httpAuthSchemes = runtimeConfig.httpAuthSchemes;
    let _httpAuthSchemeProvider = runtimeConfig.httpAuthSchemeProvider;
    let _credentials = runtimeConfig.credentials;
    return {
        setHttpAuthScheme(httpAuthScheme) {
            const index = _httpAuthSchemes.findIndex((scheme) => scheme.schemeId === httpAuthScheme.schemeId);
            if (index === -1) {
                _httpAuthSchemes.push(httpAuthScheme);
            }
            else {
                _httpAuthSchemes.splice(index, 1, httpAuthScheme);
            }
        },
        httpAuthSchemes() {
            return _httpAuthSchemes;
        },
        setHttpAuthSchemeProvider(httpAuthSchemeProvider) {
            _httpAuthSchemeProvider = httpAuthSchemeProvider;
        },
        httpAuthSchemeProvider() {
            return _httpAuthSchemeProvider;
        },
        setCredentials(credentials) {
            _credentials = credentials;
        },
        credentials() {
            return _credentials;
        },
    };
};
const resolveHttpAuthRuntimeConfig = (config) => {
    return {
        httpAuthSchemes: config.httpAuthSchemes(),
        httpAuthSchemeProvider: config.httpAuthSchemeProvider(),
        credentials: config.credentials(),
    };
};

const resolveRuntimeExtensions = (runtimeConfig, extensions) => {
    const extensionConfiguration = Object.assign(getAwsRegionExtensionConfiguration(runtimeConfig), getDefaultExtensionConfiguration(runtimeConfig), getHttpHandlerExtensionConfiguration(runtimeConfig), getHttpAuthExtensionConfiguration(runtimeConfig));
    extensions.forEach((extension) => extension.configure(extensionConfiguration));
    return Object.assign(runtimeConfig, resolveAwsRegionExtensionConfiguration(extensionConfiguration), resolveDefaultRuntimeConfig(extensionConfiguration), resolveHttpHandlerRuntimeConfig(extensionConfiguration), resolveHttpAuthRuntimeConfig(extensionConfiguration));
};

class AmplifyClient extends Client {
    config;
    constructor(...[configuration]) {
        const _config_0 = getRuntimeConfig(configuration || {});
        super(_config_0);
        this.initConfig = _config_0;
        const _config_1 = resolveClientEndpointParameters(_config_0);
        const _config_2 = resolveUserAgentConfig(_config_1);
        const _config_3 = resolveRetryConfig(_config_2);
        const _config_4 = resolveRegionConfig(_config_3);
        const _config_5 = resolveHostHeaderConfig(_config_4);
        const _config_6 = resolveEndpointConfig(_config_5);
        const _config_7 = resolveHttpAuthSchemeConfig(_config_6);
        const _config_8 = resolveRuntimeExtensions(_config_7, configuration?.extensions || []);
        this.config = _config_8;
        this.middlewareStack.use(getSchemaSerdePlugin(this.config));
        this.middlewareStack.use(getUserAgentPlugin(this.config));
        this.middlewareStack.use(getRetryPlugin(this.config));
        this.middlewareStack.use(getContentLengthPlugin(this.config));
        this.middlewareStack.use(getHostHeaderPlugin(this.config));
        this.middlewareStack.use(getLoggerPlugin(this.config));
        this.middlewareStack.use(getRecursionDetectionPlugin(this.config));
        this.middlewareStack.use(getHttpAuthSchemeEndpointRuleSetPlugin(this.config, {
            httpAuthSchemeParametersProvider: defaultAmplifyHttpAuthSchemeParametersProvider,
            identityProviderConfigProvider: async (config) => new DefaultIdentityProviderConfig({
                "aws.auth#sigv4": config.credentials,
            }),
        }));
        this.middlewareStack.use(getHttpSigningPlugin(this.config));
    }
    destroy() {
        super.destroy();
    }
}

const command = makeBuilder(commonParams, "Amplify", "AmplifyClient", getEndpointPlugin);
const _ep0 = {};
const _mw0 = (Command, cs, config, o) => [];

class CreateAppCommand extends command(_ep0, _mw0, "CreateApp", CreateApp$) {
}

class CreateBackendEnvironmentCommand extends command(_ep0, _mw0, "CreateBackendEnvironment", CreateBackendEnvironment$) {
}

class CreateBranchCommand extends command(_ep0, _mw0, "CreateBranch", CreateBranch$) {
}

class CreateDeploymentCommand extends command(_ep0, _mw0, "CreateDeployment", CreateDeployment$) {
}

class CreateDomainAssociationCommand extends command(_ep0, _mw0, "CreateDomainAssociation", CreateDomainAssociation$) {
}

class CreateWebhookCommand extends command(_ep0, _mw0, "CreateWebhook", CreateWebhook$) {
}

class DeleteAppCommand extends command(_ep0, _mw0, "DeleteApp", DeleteApp$) {
}

class DeleteBackendEnvironmentCommand extends command(_ep0, _mw0, "DeleteBackendEnvironment", DeleteBackendEnvironment$) {
}

class DeleteBranchCommand extends command(_ep0, _mw0, "DeleteBranch", DeleteBranch$) {
}

class DeleteDomainAssociationCommand extends command(_ep0, _mw0, "DeleteDomainAssociation", DeleteDomainAssociation$) {
}

class DeleteJobCommand extends command(_ep0, _mw0, "DeleteJob", DeleteJob$) {
}

class DeleteWebhookCommand extends command(_ep0, _mw0, "DeleteWebhook", DeleteWebhook$) {
}

class GenerateAccessLogsCommand extends command(_ep0, _mw0, "GenerateAccessLogs", GenerateAccessLogs$) {
}

class GetAppCommand extends command(_ep0, _mw0, "GetApp", GetApp$) {
}

class GetArtifactUrlCommand extends command(_ep0, _mw0, "GetArtifactUrl", GetArtifactUrl$) {
}

class GetBackendEnvironmentCommand extends command(_ep0, _mw0, "GetBackendEnvironment", GetBackendEnvironment$) {
}

class GetBranchCommand extends command(_ep0, _mw0, "GetBranch", GetBranch$) {
}

class GetDomainAssociationCommand extends command(_ep0, _mw0, "GetDomainAssociation", GetDomainAssociation$) {
}

class GetJobCommand extends command(_ep0, _mw0, "GetJob", GetJob$) {
}

class GetWebhookCommand extends command(_ep0, _mw0, "GetWebhook", GetWebhook$) {
}

class ListAppsCommand extends command(_ep0, _mw0, "ListApps", ListApps$) {
}

class ListArtifactsCommand extends command(_ep0, _mw0, "ListArtifacts", ListArtifacts$) {
}

class ListBackendEnvironmentsCommand extends command(_ep0, _mw0, "ListBackendEnvironments", ListBackendEnvironments$) {
}

class ListBranchesCommand extends command(_ep0, _mw0, "ListBranches", ListBranches$) {
}

class ListDomainAssociationsCommand extends command(_ep0, _mw0, "ListDomainAssociations", ListDomainAssociations$) {
}

class ListJobsCommand extends command(_ep0, _mw0, "ListJobs", ListJobs$) {
}

class ListTagsForResourceCommand extends command(_ep0, _mw0, "ListTagsForResource", ListTagsForResource$) {
}

class ListWebhooksCommand extends command(_ep0, _mw0, "ListWebhooks", ListWebhooks$) {
}

class StartDeploymentCommand extends command(_ep0, _mw0, "StartDeployment", StartDeployment$) {
}

class StartJobCommand extends command(_ep0, _mw0, "StartJob", StartJob$) {
}

class StopJobCommand extends command(_ep0, _mw0, "StopJob", StopJob$) {
}

class TagResourceCommand extends command(_ep0, _mw0, "TagResource", TagResource$) {
}

class UntagResourceCommand extends command(_ep0, _mw0, "UntagResource", UntagResource$) {
}

class UpdateAppCommand extends command(_ep0, _mw0, "UpdateApp", UpdateApp$) {
}

class UpdateBranchCommand extends command(_ep0, _mw0, "UpdateBranch", UpdateBranch$) {
}

class UpdateDomainAssociationCommand extends command(_ep0, _mw0, "UpdateDomainAssociation", UpdateDomainAssociation$) {
}

class UpdateWebhookCommand extends command(_ep0, _mw0, "UpdateWebhook", UpdateWebhook$) {
}

const paginateListApps = createPaginator(AmplifyClient, ListAppsCommand, "nextToken", "nextToken", "maxResults");

const paginateListBranches = createPaginator(AmplifyClient, ListBranchesCommand, "nextToken", "nextToken", "maxResults");

const paginateListDomainAssociations = createPaginator(AmplifyClient, ListDomainAssociationsCommand, "nextToken", "nextToken", "maxResults");

const paginateListJobs = createPaginator(AmplifyClient, ListJobsCommand, "nextToken", "nextToken", "maxResults");

const commands = {
    CreateAppCommand,
    CreateBackendEnvironmentCommand,
    CreateBranchCommand,
    CreateDeploymentCommand,
    CreateDomainAssociationCommand,
    CreateWebhookCommand,
    DeleteAppCommand,
    DeleteBackendEnvironmentCommand,
    DeleteBranchCommand,
    DeleteDomainAssociationCommand,
    DeleteJobCommand,
    DeleteWebhookCommand,
    GenerateAccessLogsCommand,
    GetAppCommand,
    GetArtifactUrlCommand,
    GetBackendEnvironmentCommand,
    GetBranchCommand,
    GetDomainAssociationCommand,
    GetJobCommand,
    GetWebhookCommand,
    ListAppsCommand,
    ListArtifactsCommand,
    ListBackendEnvironmentsCommand,
    ListBranchesCommand,
    ListDomainAssociationsCommand,
    ListJobsCommand,
    ListTagsForResourceCommand,
    ListWebhooksCommand,
    StartDeploymentCommand,
    StartJobCommand,
    StopJobCommand,
    TagResourceCommand,
    UntagResourceCommand,
    UpdateAppCommand,
    UpdateBranchCommand,
    UpdateDomainAssociationCommand,
    UpdateWebhookCommand,
};
const paginators = {
    paginateListApps,
    paginateListBranches,
    paginateListDomainAssociations,
    paginateListJobs,
};
class Amplify extends AmplifyClient {
}
createAggregatedClient(commands, Amplify, { paginators });

const Stage = {
    BETA: "BETA",
    DEVELOPMENT: "DEVELOPMENT",
    EXPERIMENTAL: "EXPERIMENTAL",
    PRODUCTION: "PRODUCTION",
    PULL_REQUEST: "PULL_REQUEST",
};
const CacheConfigType = {
    AMPLIFY_MANAGED: "AMPLIFY_MANAGED",
    AMPLIFY_MANAGED_NO_COOKIES: "AMPLIFY_MANAGED_NO_COOKIES",
};
const BuildComputeType = {
    LARGE_16GB: "LARGE_16GB",
    STANDARD_8GB: "STANDARD_8GB",
    XLARGE_72GB: "XLARGE_72GB",
};
const Platform = {
    WEB: "WEB",
    WEB_COMPUTE: "WEB_COMPUTE",
    WEB_DYNAMIC: "WEB_DYNAMIC",
};
const RepositoryCloneMethod = {
    SIGV4: "SIGV4",
    SSH: "SSH",
    TOKEN: "TOKEN",
};
const WafStatus = {
    ASSOCIATING: "ASSOCIATING",
    ASSOCIATION_FAILED: "ASSOCIATION_FAILED",
    ASSOCIATION_SUCCESS: "ASSOCIATION_SUCCESS",
    DISASSOCIATING: "DISASSOCIATING",
    DISASSOCIATION_FAILED: "DISASSOCIATION_FAILED",
};
const CertificateType = {
    AMPLIFY_MANAGED: "AMPLIFY_MANAGED",
    CUSTOM: "CUSTOM",
};
const DomainStatus = {
    AVAILABLE: "AVAILABLE",
    AWAITING_APP_CNAME: "AWAITING_APP_CNAME",
    CREATING: "CREATING",
    FAILED: "FAILED",
    IMPORTING_CUSTOM_CERTIFICATE: "IMPORTING_CUSTOM_CERTIFICATE",
    IN_PROGRESS: "IN_PROGRESS",
    PENDING_DEPLOYMENT: "PENDING_DEPLOYMENT",
    PENDING_VERIFICATION: "PENDING_VERIFICATION",
    REQUESTING_CERTIFICATE: "REQUESTING_CERTIFICATE",
    UPDATING: "UPDATING",
};
const UpdateStatus = {
    AWAITING_APP_CNAME: "AWAITING_APP_CNAME",
    IMPORTING_CUSTOM_CERTIFICATE: "IMPORTING_CUSTOM_CERTIFICATE",
    PENDING_DEPLOYMENT: "PENDING_DEPLOYMENT",
    PENDING_VERIFICATION: "PENDING_VERIFICATION",
    REQUESTING_CERTIFICATE: "REQUESTING_CERTIFICATE",
    UPDATE_COMPLETE: "UPDATE_COMPLETE",
    UPDATE_FAILED: "UPDATE_FAILED",
};
const JobType = {
    MANUAL: "MANUAL",
    RELEASE: "RELEASE",
    RETRY: "RETRY",
    WEB_HOOK: "WEB_HOOK",
};
const SourceUrlType = {
    BUCKET_PREFIX: "BUCKET_PREFIX",
    ZIP: "ZIP",
};
const JobStatus = {
    CANCELLED: "CANCELLED",
    CANCELLING: "CANCELLING",
    CREATED: "CREATED",
    FAILED: "FAILED",
    PENDING: "PENDING",
    PROVISIONING: "PROVISIONING",
    RUNNING: "RUNNING",
    SUCCEED: "SUCCEED",
};

__webpack_unused_export__ = Amplify;
exports.SEA = AmplifyClient;
__webpack_unused_export__ = AmplifyServiceException;
__webpack_unused_export__ = AmplifyServiceException$;
__webpack_unused_export__ = App$;
__webpack_unused_export__ = Artifact$;
__webpack_unused_export__ = AutoBranchCreationConfig$;
__webpack_unused_export__ = Backend$;
__webpack_unused_export__ = BackendEnvironment$;
__webpack_unused_export__ = BadRequestException;
__webpack_unused_export__ = BadRequestException$;
__webpack_unused_export__ = Branch$;
__webpack_unused_export__ = BuildComputeType;
__webpack_unused_export__ = CacheConfig$;
__webpack_unused_export__ = CacheConfigType;
__webpack_unused_export__ = Certificate$;
__webpack_unused_export__ = CertificateSettings$;
__webpack_unused_export__ = CertificateType;
__webpack_unused_export__ = CreateApp$;
__webpack_unused_export__ = CreateAppCommand;
__webpack_unused_export__ = CreateAppRequest$;
__webpack_unused_export__ = CreateAppResult$;
__webpack_unused_export__ = CreateBackendEnvironment$;
__webpack_unused_export__ = CreateBackendEnvironmentCommand;
__webpack_unused_export__ = CreateBackendEnvironmentRequest$;
__webpack_unused_export__ = CreateBackendEnvironmentResult$;
__webpack_unused_export__ = CreateBranch$;
exports.YIB = CreateBranchCommand;
__webpack_unused_export__ = CreateBranchRequest$;
__webpack_unused_export__ = CreateBranchResult$;
__webpack_unused_export__ = CreateDeployment$;
__webpack_unused_export__ = CreateDeploymentCommand;
__webpack_unused_export__ = CreateDeploymentRequest$;
__webpack_unused_export__ = CreateDeploymentResult$;
__webpack_unused_export__ = CreateDomainAssociation$;
__webpack_unused_export__ = CreateDomainAssociationCommand;
__webpack_unused_export__ = CreateDomainAssociationRequest$;
__webpack_unused_export__ = CreateDomainAssociationResult$;
__webpack_unused_export__ = CreateWebhook$;
__webpack_unused_export__ = CreateWebhookCommand;
__webpack_unused_export__ = CreateWebhookRequest$;
__webpack_unused_export__ = CreateWebhookResult$;
__webpack_unused_export__ = CustomRule$;
__webpack_unused_export__ = DeleteApp$;
__webpack_unused_export__ = DeleteAppCommand;
__webpack_unused_export__ = DeleteAppRequest$;
__webpack_unused_export__ = DeleteAppResult$;
__webpack_unused_export__ = DeleteBackendEnvironment$;
__webpack_unused_export__ = DeleteBackendEnvironmentCommand;
__webpack_unused_export__ = DeleteBackendEnvironmentRequest$;
__webpack_unused_export__ = DeleteBackendEnvironmentResult$;
__webpack_unused_export__ = DeleteBranch$;
exports.hlR = DeleteBranchCommand;
__webpack_unused_export__ = DeleteBranchRequest$;
__webpack_unused_export__ = DeleteBranchResult$;
__webpack_unused_export__ = DeleteDomainAssociation$;
__webpack_unused_export__ = DeleteDomainAssociationCommand;
__webpack_unused_export__ = DeleteDomainAssociationRequest$;
__webpack_unused_export__ = DeleteDomainAssociationResult$;
__webpack_unused_export__ = DeleteJob$;
__webpack_unused_export__ = DeleteJobCommand;
__webpack_unused_export__ = DeleteJobRequest$;
__webpack_unused_export__ = DeleteJobResult$;
__webpack_unused_export__ = DeleteWebhook$;
__webpack_unused_export__ = DeleteWebhookCommand;
__webpack_unused_export__ = DeleteWebhookRequest$;
__webpack_unused_export__ = DeleteWebhookResult$;
__webpack_unused_export__ = DependentServiceFailureException;
__webpack_unused_export__ = DependentServiceFailureException$;
__webpack_unused_export__ = DomainAssociation$;
__webpack_unused_export__ = DomainStatus;
__webpack_unused_export__ = GenerateAccessLogs$;
__webpack_unused_export__ = GenerateAccessLogsCommand;
__webpack_unused_export__ = GenerateAccessLogsRequest$;
__webpack_unused_export__ = GenerateAccessLogsResult$;
__webpack_unused_export__ = GetApp$;
exports.vw$ = GetAppCommand;
__webpack_unused_export__ = GetAppRequest$;
__webpack_unused_export__ = GetAppResult$;
__webpack_unused_export__ = GetArtifactUrl$;
__webpack_unused_export__ = GetArtifactUrlCommand;
__webpack_unused_export__ = GetArtifactUrlRequest$;
__webpack_unused_export__ = GetArtifactUrlResult$;
__webpack_unused_export__ = GetBackendEnvironment$;
__webpack_unused_export__ = GetBackendEnvironmentCommand;
__webpack_unused_export__ = GetBackendEnvironmentRequest$;
__webpack_unused_export__ = GetBackendEnvironmentResult$;
__webpack_unused_export__ = GetBranch$;
exports.QJU = GetBranchCommand;
__webpack_unused_export__ = GetBranchRequest$;
__webpack_unused_export__ = GetBranchResult$;
__webpack_unused_export__ = GetDomainAssociation$;
__webpack_unused_export__ = GetDomainAssociationCommand;
__webpack_unused_export__ = GetDomainAssociationRequest$;
__webpack_unused_export__ = GetDomainAssociationResult$;
__webpack_unused_export__ = GetJob$;
exports.jEM = GetJobCommand;
__webpack_unused_export__ = GetJobRequest$;
__webpack_unused_export__ = GetJobResult$;
__webpack_unused_export__ = GetWebhook$;
__webpack_unused_export__ = GetWebhookCommand;
__webpack_unused_export__ = GetWebhookRequest$;
__webpack_unused_export__ = GetWebhookResult$;
__webpack_unused_export__ = InternalFailureException;
__webpack_unused_export__ = InternalFailureException$;
__webpack_unused_export__ = Job$;
__webpack_unused_export__ = JobConfig$;
exports.A8Q = JobStatus;
__webpack_unused_export__ = JobSummary$;
__webpack_unused_export__ = JobType;
__webpack_unused_export__ = LimitExceededException;
__webpack_unused_export__ = LimitExceededException$;
__webpack_unused_export__ = ListApps$;
__webpack_unused_export__ = ListAppsCommand;
__webpack_unused_export__ = ListAppsRequest$;
__webpack_unused_export__ = ListAppsResult$;
__webpack_unused_export__ = ListArtifacts$;
__webpack_unused_export__ = ListArtifactsCommand;
__webpack_unused_export__ = ListArtifactsRequest$;
__webpack_unused_export__ = ListArtifactsResult$;
__webpack_unused_export__ = ListBackendEnvironments$;
__webpack_unused_export__ = ListBackendEnvironmentsCommand;
__webpack_unused_export__ = ListBackendEnvironmentsRequest$;
__webpack_unused_export__ = ListBackendEnvironmentsResult$;
__webpack_unused_export__ = ListBranches$;
__webpack_unused_export__ = ListBranchesCommand;
__webpack_unused_export__ = ListBranchesRequest$;
__webpack_unused_export__ = ListBranchesResult$;
__webpack_unused_export__ = ListDomainAssociations$;
__webpack_unused_export__ = ListDomainAssociationsCommand;
__webpack_unused_export__ = ListDomainAssociationsRequest$;
__webpack_unused_export__ = ListDomainAssociationsResult$;
__webpack_unused_export__ = ListJobs$;
__webpack_unused_export__ = ListJobsCommand;
__webpack_unused_export__ = ListJobsRequest$;
__webpack_unused_export__ = ListJobsResult$;
__webpack_unused_export__ = ListTagsForResource$;
__webpack_unused_export__ = ListTagsForResourceCommand;
__webpack_unused_export__ = ListTagsForResourceRequest$;
__webpack_unused_export__ = ListTagsForResourceResponse$;
__webpack_unused_export__ = ListWebhooks$;
__webpack_unused_export__ = ListWebhooksCommand;
__webpack_unused_export__ = ListWebhooksRequest$;
__webpack_unused_export__ = ListWebhooksResult$;
__webpack_unused_export__ = NotFoundException;
__webpack_unused_export__ = NotFoundException$;
__webpack_unused_export__ = Platform;
__webpack_unused_export__ = ProductionBranch$;
__webpack_unused_export__ = RepositoryCloneMethod;
__webpack_unused_export__ = ResourceNotFoundException;
__webpack_unused_export__ = ResourceNotFoundException$;
__webpack_unused_export__ = SourceUrlType;
__webpack_unused_export__ = Stage;
__webpack_unused_export__ = StartDeployment$;
__webpack_unused_export__ = StartDeploymentCommand;
__webpack_unused_export__ = StartDeploymentRequest$;
__webpack_unused_export__ = StartDeploymentResult$;
__webpack_unused_export__ = StartJob$;
exports.d7A = StartJobCommand;
__webpack_unused_export__ = StartJobRequest$;
__webpack_unused_export__ = StartJobResult$;
__webpack_unused_export__ = Step$;
__webpack_unused_export__ = StopJob$;
exports.Viw = StopJobCommand;
__webpack_unused_export__ = StopJobRequest$;
__webpack_unused_export__ = StopJobResult$;
__webpack_unused_export__ = SubDomain$;
__webpack_unused_export__ = SubDomainSetting$;
__webpack_unused_export__ = TagResource$;
__webpack_unused_export__ = TagResourceCommand;
__webpack_unused_export__ = TagResourceRequest$;
__webpack_unused_export__ = TagResourceResponse$;
__webpack_unused_export__ = UnauthorizedException;
__webpack_unused_export__ = UnauthorizedException$;
__webpack_unused_export__ = UntagResource$;
__webpack_unused_export__ = UntagResourceCommand;
__webpack_unused_export__ = UntagResourceRequest$;
__webpack_unused_export__ = UntagResourceResponse$;
__webpack_unused_export__ = UpdateApp$;
__webpack_unused_export__ = UpdateAppCommand;
__webpack_unused_export__ = UpdateAppRequest$;
__webpack_unused_export__ = UpdateAppResult$;
__webpack_unused_export__ = UpdateBranch$;
exports.B2M = UpdateBranchCommand;
__webpack_unused_export__ = UpdateBranchRequest$;
__webpack_unused_export__ = UpdateBranchResult$;
__webpack_unused_export__ = UpdateDomainAssociation$;
__webpack_unused_export__ = UpdateDomainAssociationCommand;
__webpack_unused_export__ = UpdateDomainAssociationRequest$;
__webpack_unused_export__ = UpdateDomainAssociationResult$;
__webpack_unused_export__ = UpdateStatus;
__webpack_unused_export__ = UpdateWebhook$;
__webpack_unused_export__ = UpdateWebhookCommand;
__webpack_unused_export__ = UpdateWebhookRequest$;
__webpack_unused_export__ = UpdateWebhookResult$;
__webpack_unused_export__ = WafConfiguration$;
__webpack_unused_export__ = WafStatus;
__webpack_unused_export__ = Webhook$;
__webpack_unused_export__ = errorTypeRegistries;
__webpack_unused_export__ = paginateListApps;
exports.cnC = paginateListBranches;
__webpack_unused_export__ = paginateListDomainAssociations;
__webpack_unused_export__ = paginateListJobs;


/***/ })

};
