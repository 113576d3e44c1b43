import { AwsError, EC2_ERRORS } from '../errors.js';
import { isRegionEnabled } from '../model.js';
import type { ServiceDefinition } from '../service.js';
import { queryList } from '../wire.js';

export const ec2: ServiceDefinition = {
  name: 'ec2',
  protocol: 'ec2',
  xmlNamespace: 'http://ec2.amazonaws.com/doc/2016-11-15/',
  regional: true,
  errors: EC2_ERRORS,
  actions: {
    DescribeRegions: (context, params) => {
      const account = context.world.account(context.caller.accountId);
      const allRegions = params.get('AllRegions') === 'true';
      const named = queryList(params, 'RegionName');
      const states = account?.regions ?? [];
      const unknown = named.find((name) => !states.some((state) => state.name === name));
      if (unknown !== undefined) throw new AwsError({ code: 'InvalidParameterValue', status: 400 }, `Invalid region name: ${unknown}`);
      const listed = states.filter((state) => (named.length > 0 ? named.includes(state.name) : allRegions || isRegionEnabled(state)));
      return {
        regionInfo: listed.map((state) => ({
          regionName: state.name,
          regionEndpoint: `ec2.${state.name}.amazonaws.com`,
          optInStatus: state.optInStatus,
        })),
      };
    },
  },
};
