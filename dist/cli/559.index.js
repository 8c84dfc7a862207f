export const id = 559;
export const ids = [559];
export const modules = {

/***/ 5559:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   readSecureParameter: () => (/* binding */ readSecureParameter)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_ssm__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4736);

/**
 * Reads a SecureString from SSM Parameter Store, decrypted, as neon-ci.sh did with
 * `aws ssm get-parameter --with-decryption`. Credentials come from the standard AWS chain (the
 * Amplify build role inside a build), the endpoint from AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL when
 * set (the SDK reads them itself). Every error names the parameter and says what to do about it.
 */
async function readSecureParameter(name, options) {
    // A parameter given by ARN lives in the ARN's region, whatever the build's region is.
    const region = /^arn:aws[a-z-]*:ssm:([a-z0-9-]+):/.exec(name)?.[1] ?? options.region;
    const client = new _aws_sdk_client_ssm__WEBPACK_IMPORTED_MODULE_0__/* .SSMClient */ .jBj({
        ...(region === undefined ? {} : { region }),
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
    });
    const step = `Reading the Neon API key from SSM parameter '${name}'`;
    let parameter;
    try {
        if (region === undefined)
            await sdkRegion(client);
        parameter = (await client.send(new _aws_sdk_client_ssm__WEBPACK_IMPORTED_MODULE_0__/* .GetParameterCommand */ .lhy({ Name: name, WithDecryption: true }))).Parameter;
    }
    catch (error) {
        throw new Error(`${step} failed: ${explain(error, name, region)}`, { cause: error });
    }
    finally {
        client.destroy();
    }
    const value = parameter?.Value?.trim();
    if (value === undefined || value === '')
        throw new Error(`${step} failed: the parameter is empty`);
    if (parameter?.Type !== 'SecureString') {
        options.log.warning(`SSM parameter '${name}' is a ${parameter?.Type ?? 'parameter of unknown type'}, not a SecureString: the Neon API key is stored unencrypted`);
    }
    options.log.info(`Read the Neon API key from SSM parameter '${name}'`);
    return value;
}
/** No region anywhere: told apart from the SDK's other errors by where it failed, not by its text. */
class NoRegion extends Error {
}
/**
 * The region the SDK's own chain finds (AWS_REGION, then the profile's in ~/.aws/config:
 * https://docs.aws.amazon.com/sdk-for-javascript/latest/developer-guide/setting-region.html), asked
 * before the call: when it finds none the SDK throws a plain Error, with no name or code to tell it
 * from any other.
 */
async function sdkRegion(client) {
    try {
        return await client.config.region();
    }
    catch (error) {
        throw new NoRegion('no region', { cause: error });
    }
}
function explain(error, name, region) {
    if (error instanceof NoRegion) {
        const sdk = error.cause instanceof Error ? ` (the AWS SDK: ${error.cause.message})` : '';
        return `no AWS region${sdk}: set --aws-region, AWS_REGION or AWS_DEFAULT_REGION, or give the parameter as an ARN`;
    }
    const code = error.name ?? 'Error';
    const message = error instanceof Error ? error.message : String(error);
    const where = region === undefined ? '' : ` in ${region}`;
    switch (code) {
        case 'ParameterNotFound':
            return `ParameterNotFound: no parameter named '${name}'${where} (names are case-sensitive and start with / when hierarchical)`;
        case 'ParameterVersionNotFound':
            return `ParameterVersionNotFound: the version asked for in '${name}' does not exist${where}`;
        case 'AccessDeniedException':
            return `AccessDeniedException: the caller may not read it; it needs ssm:GetParameter on this parameter and kms:Decrypt on its KMS key${message === '' ? '' : ` (${message})`}`;
        case 'InvalidKeyId':
            return `InvalidKeyId: its KMS key cannot be used to decrypt it${message === '' ? '' : ` (${message})`}`;
        case 'CredentialsProviderError':
            return `no AWS credentials found (${message}): inside Amplify the build's service role provides them; elsewhere set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or a web identity`;
        default:
            return `${code}: ${message}`;
    }
}


/***/ })

};
